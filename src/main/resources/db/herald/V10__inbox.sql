-- The inbox (docs/reactions.md): every event of another service a reaction applied, one row per CloudEvents
-- identity (source, id), written in the same transaction as the command it became (its state change, its event,
-- its command row), so the event's effect is kept exactly once. A redelivery finds the command by its
-- Idempotency-Key (inbound:<uuid of source and id>) and replays its answer; the primary key refuses a second
-- row should two deliveries race.
CREATE TABLE inbox (
    source       text        NOT NULL,
    event_id     text        NOT NULL,
    event_type   text        NOT NULL,
    reaction     text        NOT NULL,
    command_id   uuid        NOT NULL REFERENCES commands (command_id),
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, event_id)
);
CREATE INDEX inbox_received ON inbox (reaction, received_at);
