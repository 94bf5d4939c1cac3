-- Domain state for the commands declared in routes/customers.camel.yaml and routes/orders.camel.yaml.
-- Migrations here are read from the filesystem at start (herald.db.domain-migrations), like routes and schemas.
CREATE TABLE customers (
    customer_id  text        PRIMARY KEY,
    full_name    text        NOT NULL,
    email        text        NOT NULL,
    version      int         NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    order_id       text          PRIMARY KEY,
    customer_id    text          NOT NULL REFERENCES customers (customer_id),
    status         text          NOT NULL DEFAULT 'placed',
    total          numeric(14,2) NOT NULL,
    cancel_reason  text,
    version        int           NOT NULL,
    created_at     timestamptz   NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
    order_id     text          NOT NULL REFERENCES orders (order_id),
    line         int           NOT NULL,
    product_id   text          NOT NULL,
    quantity     int           NOT NULL CHECK (quantity > 0),
    unit_price   numeric(14,2) NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, line)
);
