-- Herald's own tables: commands, the event table (event store and outbox in one), dead letters.
-- Aggregate state tables belong to the command declarations and live in V2+.

CREATE TABLE commands (
    command_id       uuid        PRIMARY KEY,
    command_type     text        NOT NULL,
    aggregate_type   text        NOT NULL,
    aggregate_id     text        NOT NULL,
    event_id         uuid,
    idempotency_key  text        UNIQUE,
    request_hash     text,
    response_status  int         NOT NULL,
    location         text,
    received_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
    seq                bigserial   PRIMARY KEY,
    event_id           uuid        NOT NULL UNIQUE,
    aggregate_type     text        NOT NULL,
    aggregate_id       text        NOT NULL,
    aggregate_version  int         NOT NULL,
    event_type         text        NOT NULL,
    schema_version     int         NOT NULL,
    topic              text        NOT NULL,
    command_id         uuid        NOT NULL,
    -- the CloudEvent exactly as published, so a republish sends the same bytes
    envelope           text        NOT NULL,
    occurred_at        timestamptz NOT NULL DEFAULT now(),
    tx_id              xid8        NOT NULL DEFAULT pg_current_xact_id(),
    -- outbox columns: the only ones ever updated
    published_at       timestamptz,
    publish_attempts   int         NOT NULL DEFAULT 0,
    claimed_until      timestamptz,
    last_error         text,
    -- optimistic concurrency: one event per aggregate version
    CONSTRAINT events_aggregate_version UNIQUE (aggregate_type, aggregate_id, aggregate_version)
);

CREATE INDEX events_unpublished ON events (seq) WHERE published_at IS NULL;

CREATE TABLE dead_letters (
    id               bigserial   PRIMARY KEY,
    stage            text        NOT NULL,
    destination      text        NOT NULL,
    event_id         uuid        NOT NULL,
    event_type       text        NOT NULL,
    aggregate_id     text        NOT NULL,
    original_event   jsonb       NOT NULL,
    failure_reason   text        NOT NULL,
    error_class      text        NOT NULL,
    failure_count    int         NOT NULL,
    failed_at        timestamptz NOT NULL DEFAULT now(),
    next_retry       timestamptz,
    resolution       text
);
