-- Replays without gaps (docs/api.md, "Replays"; issue 22 §4). V12 paged by seq > position over published events:
-- seq is taken when a row is inserted, not when its transaction commits, so an event whose transaction committed
-- after a later page had been read, or one committed but not yet published when its page was read, was passed and
-- never came back for. A replay now reads the event store the way projections do (V9__projections.sql): in
-- (tx_id, seq) order, only events of transactions below the oldest one still running
-- (pg_snapshot_xmin(pg_current_snapshot())), a set that is final and grows only at its end; and a page stops before
-- the first event it selects that is committed but not yet published, so it is sent once published.
--
-- Why wait for publication rather than send it: a replay sends stored events again; the live path delivers an event
-- first (Kafka, and from it the RabbitMQ bridge and the webhook fan-out). Sent ahead of publication, a replay's copy
-- would reach a consumer before the live original (a webhook endpoint would even get it only as a replay: the
-- fan-out skips a delivery that exists). An event the relay dead-lettered (Kafka refused it) is never published: it
-- is not selected, as before, so it cannot hold a replay back for ever.

-- The bound: events of transactions that had begun writing when the replay was created (xid below the xmax of the
-- creation snapshot), whether they committed before or after it; the position: the last event handed over, as
-- (position_tx, position), position still the seq the API shows.
ALTER TABLE replays ADD COLUMN up_to_tx xid8, ADD COLUMN position_tx xid8 NOT NULL DEFAULT '0';

-- Running replays carry on from the oldest transaction holding an event after their seq position: nothing after it
-- is passed (some events may go again: at least once, consumers deduplicate on the id); their bound is now.
UPDATE replays r
   SET position_tx = coalesce((SELECT min(ev.tx_id) FROM events ev WHERE ev.seq > r.position),
                              (SELECT max(ev.tx_id) FROM events ev), '0'),
       up_to_tx = pg_snapshot_xmax(pg_current_snapshot())
 WHERE r.status = 'running';
UPDATE replays SET up_to_tx = '0' WHERE up_to_tx IS NULL;
ALTER TABLE replays ALTER COLUMN up_to_tx SET NOT NULL,
                    ALTER COLUMN up_to_tx SET DEFAULT pg_snapshot_xmax(pg_current_snapshot());
COMMENT ON COLUMN replays.up_to_seq IS 'unused since V13 (up_to_tx bounds a replay)';

CREATE OR REPLACE VIEW replay_view AS
SELECT r.id, r.created_at, jsonb_build_object(
           'id', r.id, 'target', jsonb_build_object(r.target_kind, r.target), 'since', r.since, 'until', r.until,
           'types', to_jsonb(r.types), 'aggregate_id', r.aggregate_id, 'status', r.status, 'position', r.position,
           'position_tx_id', CAST(r.position_tx AS text), 'sent', r.sent, 'error', r.error,
           'created_at', r.created_at, 'updated_at', r.updated_at, 'finished_at', r.finished_at)
       AS data
  FROM replays r;

-- The signatures change (a position is a pair now, a page answers its last pair): V12's functions go.
DROP FUNCTION replay_to_webhook(uuid, bigint, bigint, timestamptz, timestamptz, text[], text, int);
DROP FUNCTION replay_page(bigint, bigint, timestamptz, timestamptz, text[], text, int);

-- What a replay selects, wherever it stands: events after a position, of transactions below a bound (NULL: none),
-- occurred in [since, until], of the types (patterns as webhook endpoints' event_types, '*' any characters; none:
-- every type) and aggregate (NULL: every one); not dead-lettered. Published or not.
CREATE FUNCTION replay_selection(after_tx xid8, after_seq bigint, up_to_tx xid8, since timestamptz,
                                 until timestamptz, types text[], aggregate text)
RETURNS SETOF events LANGUAGE sql STABLE AS $$
    SELECT * FROM events ev
     WHERE (ev.tx_id, ev.seq) > (after_tx, after_seq) AND (up_to_tx IS NULL OR ev.tx_id < up_to_tx)
       AND ev.occurred_at >= since AND (until IS NULL OR ev.occurred_at <= until)
       AND ev.dead_lettered_at IS NULL
       AND webhook_matches(types, NULL, aggregate, ev.event_type, ev.aggregate_type, ev.aggregate_id)
$$;

-- One page of a replay, in (tx_id, seq) order; page NULL: no limit.
--   final_only (the replay runner): only transactions below the oldest still running, and up to the first event
--     not yet published, excluded: what it answers never has a gap behind it. Empty while what comes next is not
--     final or not published: the replay waits (replay_done tells it from the end).
--   otherwise (POST /api/webhooks/endpoints/{id}/replay, one statement, no next page): the published events committed
--     now; the rest reaches the endpoint live, through the fan-out, once published.
CREATE FUNCTION replay_page(after_tx xid8, after_seq bigint, up_to_tx xid8, since timestamptz, until timestamptz,
                            types text[], aggregate text, page int, final_only boolean)
RETURNS SETOF events LANGUAGE sql STABLE AS $$
    -- the first selected event not yet published (a final_only page ends before it); the unpublished are few: the
    -- fence (OFFSET 0) lets the planner find them by the partial index events_unpublished, not walk the store
    WITH waiting AS MATERIALIZED (
        SELECT u.tx_id, u.seq
          FROM (SELECT tx_id, seq FROM replay_selection(after_tx, after_seq, up_to_tx, since, until, types, aggregate)
                 WHERE final_only AND published_at IS NULL OFFSET 0) u
         ORDER BY u.tx_id, u.seq
         LIMIT 1
    )
    SELECT ev.* FROM replay_selection(after_tx, after_seq, up_to_tx, since, until, types, aggregate) ev
     WHERE ev.published_at IS NOT NULL
       AND (NOT final_only OR ev.tx_id < pg_snapshot_xmin(pg_current_snapshot()))
       AND NOT EXISTS (SELECT 1 FROM waiting w WHERE (w.tx_id, w.seq) < (ev.tx_id, ev.seq))
     ORDER BY ev.tx_id, ev.seq
     LIMIT page
$$;

-- A replay has nothing left: every transaction below its bound has ended (none can add to the selection) and no
-- event it selects lies after its position.
CREATE FUNCTION replay_done(after_tx xid8, after_seq bigint, up_to_tx xid8, since timestamptz, until timestamptz,
                            types text[], aggregate text)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT pg_snapshot_xmin(pg_current_snapshot()) >= up_to_tx
       AND NOT EXISTS (SELECT 1 FROM replay_selection(after_tx, after_seq, up_to_tx, since, until, types, aggregate))
$$;

-- A page queued for a webhook endpoint: one delivery per event the endpoint's own filters also take (an earlier
-- delivery of the same event goes again, now marked), so the dispatcher sends them with its signing, retries and
-- per-aggregate order. Answers the page's last position (NULLs: the page was empty) and how many were queued. Both
-- the replay runner (final_only) and POST /api/webhooks/endpoints/{id}/replay (one unbounded page) run this.
CREATE FUNCTION replay_to_webhook(endpoint uuid, after_tx xid8, after_seq bigint, up_to_tx xid8, since timestamptz,
                                  until timestamptz, types text[], aggregate text, page int, final_only boolean)
RETURNS TABLE (last_tx xid8, last_seq bigint, queued bigint) LANGUAGE sql AS $$
    WITH picked AS (
        SELECT * FROM replay_page(after_tx, after_seq, up_to_tx, since, until, types, aggregate, page, final_only)
    ), inserted AS (
        INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, aggregate_type, aggregate_id,
                                        aggregate_version, envelope)
        SELECT w.id, ev.event_id, ev.event_type, ev.aggregate_type, ev.aggregate_id, ev.aggregate_version,
               replay_marked(ev.envelope)
          FROM picked ev JOIN webhook_endpoints w ON w.id = endpoint
         WHERE webhook_matches(w.event_types, w.aggregate_type, w.aggregate_id, ev.event_type,
                               ev.aggregate_type, ev.aggregate_id)
         ORDER BY ev.tx_id, ev.seq
        ON CONFLICT (endpoint_id, event_id) DO UPDATE
           SET status = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL,
               envelope = EXCLUDED.envelope
        RETURNING 1
    ), last AS (
        SELECT tx_id, seq FROM picked ORDER BY tx_id DESC, seq DESC LIMIT 1
    )
    SELECT (SELECT tx_id FROM last), (SELECT seq FROM last), (SELECT count(*) FROM inserted)
$$;
