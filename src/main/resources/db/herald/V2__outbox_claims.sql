-- Who holds an unpublished event (a sync lane publishing it, or a relay), and events given up on.
ALTER TABLE events ADD COLUMN claimed_by text;
ALTER TABLE events ADD COLUMN dead_lettered_at timestamptz;

DROP INDEX events_unpublished;
CREATE INDEX events_unpublished ON events (seq) WHERE published_at IS NULL AND dead_lettered_at IS NULL;
