-- Replays (docs/api.md, "Replays"): stored events sent again, in seq order, to one consumer (a webhook endpoint,
-- a Kafka topic, a RabbitMQ consumer's queue). One row per replay: what it selects, how far it got (position = the
-- last event seq handed to the target; sent = how many the target took), and its status. The runner
-- (routes/replays.camel.yaml) claims a running replay with FOR UPDATE SKIP LOCKED, so two hubs never send the same
-- page, and moves position in the transaction that hands the page over (webhooks) or after the broker confirmed.
CREATE TABLE replays (
    id            uuid        PRIMARY KEY,
    target_kind   text        NOT NULL CHECK (target_kind IN ('webhook_endpoint', 'kafka_topic', 'rabbitmq_consumer')),
    target        text        NOT NULL,
    since         timestamptz NOT NULL,
    until         timestamptz,
    types         text[]      NOT NULL DEFAULT '{}',
    aggregate_id  text,
    -- without until: the newest event when the replay was created (what exists then is replayed, nothing newer)
    up_to_seq     bigint,
    status        text        NOT NULL DEFAULT 'running'
                              CHECK (status IN ('running', 'completed', 'cancelled', 'failed')),
    position      bigint      NOT NULL DEFAULT 0,
    sent          bigint      NOT NULL DEFAULT 0,
    error         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX replays_running ON replays (updated_at) WHERE status = 'running';

-- What the API shows of a replay, one JSON object per replay.
CREATE VIEW replay_view AS
SELECT r.id, r.created_at, jsonb_build_object(
           'id', r.id, 'target', jsonb_build_object(r.target_kind, r.target), 'since', r.since, 'until', r.until,
           'types', to_jsonb(r.types), 'aggregate_id', r.aggregate_id, 'status', r.status, 'position', r.position,
           'sent', r.sent, 'error', r.error, 'created_at', r.created_at, 'updated_at', r.updated_at,
           'finished_at', r.finished_at)
       AS data
  FROM replays r;

-- The envelope a replay sends: the stored CloudEvent with the extension attribute replay = true.
CREATE FUNCTION replay_marked(envelope text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CAST(CAST(envelope AS jsonb) || '{"replay": true}' AS text)
$$;

-- One page of a replay: published events after a seq, up to a seq (NULL: no bound), occurred in [since, until],
-- of the types (patterns as webhook endpoints' event_types, '*' any characters; none: every type) and aggregate
-- (NULL: every one), in seq order; page NULL: no limit.
CREATE FUNCTION replay_page(after_seq bigint, up_to_seq bigint, since timestamptz, until timestamptz,
                            types text[], aggregate text, page int)
RETURNS SETOF events LANGUAGE sql STABLE AS $$
    SELECT * FROM events ev
     WHERE ev.seq > after_seq AND (up_to_seq IS NULL OR ev.seq <= up_to_seq)
       AND ev.occurred_at >= since AND (until IS NULL OR ev.occurred_at <= until)
       AND ev.published_at IS NOT NULL
       AND webhook_matches(types, NULL, aggregate, ev.event_type, ev.aggregate_type, ev.aggregate_id)
     ORDER BY ev.seq
     LIMIT page
$$;

-- A page queued for a webhook endpoint: one delivery per event the endpoint's own filters also take (an earlier
-- delivery of the same event goes again, now marked), so the dispatcher sends them with its signing, retries and
-- per-aggregate order. Answers the page's last seq (NULL: the page was empty) and how many were queued. Both the
-- replay runner and POST /api/webhooks/endpoints/{id}/replay (one unbounded page) run this.
CREATE FUNCTION replay_to_webhook(endpoint uuid, after_seq bigint, up_to_seq bigint, since timestamptz,
                                  until timestamptz, types text[], aggregate text, page int)
RETURNS TABLE (last_seq bigint, queued bigint) LANGUAGE sql AS $$
    WITH picked AS (
        SELECT * FROM replay_page(after_seq, up_to_seq, since, until, types, aggregate, page)
    ), inserted AS (
        INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, aggregate_type, aggregate_id,
                                        aggregate_version, envelope)
        SELECT w.id, ev.event_id, ev.event_type, ev.aggregate_type, ev.aggregate_id, ev.aggregate_version,
               replay_marked(ev.envelope)
          FROM picked ev JOIN webhook_endpoints w ON w.id = endpoint
         WHERE webhook_matches(w.event_types, w.aggregate_type, w.aggregate_id, ev.event_type,
                               ev.aggregate_type, ev.aggregate_id)
         ORDER BY ev.seq
        ON CONFLICT (endpoint_id, event_id) DO UPDATE
           SET status = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL,
               envelope = EXCLUDED.envelope
        RETURNING 1
    )
    SELECT (SELECT max(seq) FROM picked), (SELECT count(*) FROM inserted)
$$;
