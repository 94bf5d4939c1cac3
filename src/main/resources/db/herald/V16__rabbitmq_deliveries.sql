-- The RabbitMQ bridge's confirmed deliveries, for the operator's look-up (GET /api/lookup/{id}, the console's
-- Look-up page; issue 25). Before it, a RabbitMQ delivery showed there only when it was dead-lettered.
-- One row per exchange for each partition's share of a Kafka poll, written once the broker confirmed its messages
-- (and routed them to at least one queue), so the bridge's hot path costs one INSERT per batch, never one per
-- event. An observability record, not a guarantee: written off the bridge's thread, a row that could not be written
-- is a warning and herald_rabbitmq_delivery_log_failures_total, never a stalled or re-sent event (docs/rabbitmq.md,
-- "What the look-up shows"). Rows older than herald.rabbitmq.delivery-log-retention are deleted.
CREATE TABLE rabbitmq_deliveries (
    id bigserial PRIMARY KEY,
    exchange text NOT NULL,
    event_ids uuid[] NOT NULL,
    confirmed_at timestamptz NOT NULL DEFAULT now()
);
-- the look-up: event_ids @> ARRAY[<event id>]
CREATE INDEX rabbitmq_deliveries_event_ids ON rabbitmq_deliveries USING gin (event_ids);
-- the retention's delete: rows arrive in time order, so a block range index (a few pages, next to nothing per
-- insert) finds the old ones
CREATE INDEX rabbitmq_deliveries_confirmed_at ON rabbitmq_deliveries USING brin (confirmed_at);
