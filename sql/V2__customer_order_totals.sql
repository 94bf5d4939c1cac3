-- The read table of projection customer-order-totals (routes/projections.camel.yaml), fed by order.created and
-- order.cancelled; GET /api/customers/{id}/order-totals reads it. A projection starts from the first event in
-- the store, so on an existing store it fills with the whole history.
CREATE TABLE customer_order_totals (
    customer_id       text          PRIMARY KEY,
    orders_placed     int           NOT NULL DEFAULT 0,
    orders_cancelled  int           NOT NULL DEFAULT 0,
    total_placed      numeric(16,2) NOT NULL DEFAULT 0
);
