-- Projections (docs/commands.md, "Projections"): read models fed from the event store in commit order.
-- A projection reads only events whose transaction ids lie below the oldest transaction still running
-- (pg_snapshot_xmin(pg_current_snapshot())): that set is final, so reading it in (tx_id, seq) order never skips
-- an event whose transaction commits late. This index serves that read and a projection's lag.
CREATE INDEX events_commit_order ON events (tx_id, seq);

-- One row per projection: how far it got (the last event it took, as (tx_id, seq)), written in the same
-- transaction as its read-model updates; and whether it stopped at an event it could not apply.
CREATE TABLE projections (
    name             text        PRIMARY KEY,
    position_tx      xid8        NOT NULL DEFAULT '0',
    position_seq     bigint      NOT NULL DEFAULT 0,
    applied          bigint      NOT NULL DEFAULT 0,
    status           text        NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'failed')),
    last_error       text,
    failed_event_id  uuid,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- A projection that declares an output topic (herald:projection option output) writes each read-model row it
-- changed here, in the transaction of the change; once that committed, it sends them to Kafka in id order and
-- deletes them (key: the row's outputKey column, value: the row as JSON).
CREATE TABLE projection_outputs (
    id          bigserial   PRIMARY KEY,
    projection  text        NOT NULL,
    key         text        NOT NULL,
    value       text        NOT NULL
);
CREATE INDEX projection_outputs_waiting ON projection_outputs (projection, id);
