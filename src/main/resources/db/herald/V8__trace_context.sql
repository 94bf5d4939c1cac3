-- W3C trace context (docs/operations.md, "Tracing"). events.traceparent: the context the event was produced in
-- (also the envelope's traceparent attribute), so the relay that publishes it later continues that trace without
-- parsing the envelope; commands.trace_id: what GET /api/commands/{id} shows. Both null for rows written before.
ALTER TABLE events ADD COLUMN traceparent text;
ALTER TABLE commands ADD COLUMN trace_id text;
