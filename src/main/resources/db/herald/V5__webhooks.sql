-- Webhook bridge (docs/webhooks.md): endpoints, one delivery row per (endpoint, event), every attempt.

CREATE TABLE webhook_endpoints (
    id                      uuid        PRIMARY KEY,
    url                     text        NOT NULL,
    description             text,
    -- glob patterns on the event type ('customer.*'); empty = every event
    event_types             text[]      NOT NULL DEFAULT '{}',
    -- optional: only this aggregate type, and optionally only this aggregate id
    aggregate_type          text,
    aggregate_id            text,
    format                  text        NOT NULL DEFAULT 'cloudevents-structured',
    headers                 jsonb       NOT NULL DEFAULT '{}',
    -- most requests per second to this endpoint (NULL: no limit beyond the in-flight cap)
    rate_limit              int,
    enabled                 boolean     NOT NULL DEFAULT true,
    disabled_reason         text,
    -- Standard Webhooks secrets (whsec_ + base64); the previous one keeps signing until it expires
    secret                  text        NOT NULL,
    previous_secret         text,
    previous_secret_until   timestamptz,
    -- first failure of the current failure streak; cleared by any success
    failing_since           timestamptz,
    declared_in             text        NOT NULL DEFAULT 'api',
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id                 bigserial   PRIMARY KEY,
    endpoint_id        uuid        NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id           uuid        NOT NULL,
    event_type         text        NOT NULL,
    aggregate_type     text        NOT NULL,
    aggregate_id       text        NOT NULL,
    -- order within (endpoint, aggregate): the next waits until this one succeeded or was dead-lettered
    aggregate_version  bigint      NOT NULL,
    envelope           text        NOT NULL,
    -- pending, succeeded, dead
    status             text        NOT NULL DEFAULT 'pending',
    attempts           int         NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    claimed_until      timestamptz,
    claimed_by         text,
    last_status        int,
    last_error         text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz,
    CONSTRAINT webhook_deliveries_once UNIQUE (endpoint_id, event_id)
);

-- the dispatcher's claim: per endpoint, pending deliveries by due time
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_line ON webhook_deliveries (endpoint_id, aggregate_type, aggregate_id, aggregate_version)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_listing ON webhook_deliveries (endpoint_id, id);

CREATE TABLE webhook_attempts (
    id                 bigserial   PRIMARY KEY,
    delivery_id        bigint      NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at       timestamptz NOT NULL DEFAULT now(),
    request_headers    jsonb       NOT NULL,
    response_status    int,
    -- the first herald.webhooks.response-excerpt bytes of the response body
    response_excerpt   text,
    duration_ms        bigint      NOT NULL,
    error              text
);

CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- Does an event match an endpoint's filters? One definition for the Kafka fan-out and for replay.
CREATE FUNCTION webhook_matches(patterns text[], filter_type text, filter_id text,
                                event_type text, event_aggregate_type text, event_aggregate_id text)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT (cardinality(patterns) = 0
            OR EXISTS (SELECT 1 FROM unnest(patterns) AS p
                        WHERE event_type LIKE replace(replace(p, '_', '\_'), '*', '%')))
       AND (filter_type IS NULL OR filter_type = event_aggregate_type)
       AND (filter_id IS NULL OR filter_id = event_aggregate_id)
$$;

-- What the API shows of an endpoint (never its secrets), one JSON object per endpoint.
CREATE VIEW webhook_endpoint_view AS
SELECT e.id, e.created_at, jsonb_build_object(
           'id', e.id, 'url', e.url, 'description', e.description, 'event_types', to_jsonb(e.event_types),
           'aggregate_type', e.aggregate_type, 'aggregate_id', e.aggregate_id, 'format', e.format,
           'headers', e.headers, 'rate_limit', e.rate_limit, 'enabled', e.enabled,
           'disabled_reason', e.disabled_reason, 'failing_since', e.failing_since,
           'secret_rotating_until', e.previous_secret_until, 'declared_in', e.declared_in,
           'created_at', e.created_at, 'updated_at', e.updated_at,
           'pending', (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending'))
       AS data
  FROM webhook_endpoints e;
