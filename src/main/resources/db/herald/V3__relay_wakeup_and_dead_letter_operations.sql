-- Wake the relay at commit instead of at its next poll: inserting an event nobody holds (outbox mode)
-- notifies channel herald_outbox with the schema's name as payload. PostgreSQL sends it on commit, once per
-- transaction (same channel, same payload). The WHEN clause is checked without calling the function, so a
-- sync-mode insert (its lane holds the event) costs nothing. Code that hands held events back calls
-- pg_notify itself.
CREATE FUNCTION herald_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('herald_outbox', current_schema());
    RETURN NULL;
END $$;

CREATE TRIGGER events_inserted_notify AFTER INSERT ON events
    FOR EACH ROW WHEN (NEW.claimed_by IS NULL AND NEW.published_at IS NULL)
    EXECUTE FUNCTION herald_notify_outbox();

-- Strict order (herald.relay.strict-order-types): a dead-lettered event that holds back the rest of its
-- aggregate until an operator retries or discards it.
ALTER TABLE events ADD COLUMN blocks_aggregate boolean NOT NULL DEFAULT false;
CREATE INDEX events_blocking ON events (aggregate_type, aggregate_id) WHERE blocks_aggregate;

-- Operators resolve dead letters (retried, discarded); the record stays, with who did what and when.
ALTER TABLE dead_letters ADD COLUMN resolved_at timestamptz;
CREATE INDEX dead_letters_open ON dead_letters (stage, failed_at) WHERE resolution IS NULL;
CREATE INDEX dead_letters_event ON dead_letters (event_id);

-- Events someone holds (a lane publishing them, a relay's batch): few at any time, so the relay's
-- "skip aggregates held by others" looks them up here instead of scanning the whole backlog.
CREATE INDEX events_held ON events (aggregate_type, aggregate_id)
    WHERE claimed_by IS NOT NULL AND published_at IS NULL AND dead_lettered_at IS NULL;
