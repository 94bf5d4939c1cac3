-- The intake peer's tables (bench/run runs this before it starts the peer, on the hub's database)
CREATE TABLE IF NOT EXISTS peer_customers (customer_id uuid PRIMARY KEY, full_name text NOT NULL,
    email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS peer_outbox (seq bigserial PRIMARY KEY, aggregate_id uuid NOT NULL,
    type text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
