-- Orchestrated sagas (docs/sagas.md): a saga instance per starting event, its steps' calls and their outcomes.
-- Every decision the runner takes (a step done, declined, retried later, compensated, the saga ended) is one
-- transaction over these rows, so a hub killed at any moment resumes each saga where its last decision left it.

-- A saga type is recorded the first time it runs active (its services' URLs set): it starts only for starting
-- events that occurred since, never for the history already in the store.
CREATE TABLE saga_types (
    saga_type     text        PRIMARY KEY,
    active_since  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sagas (
    saga_id          uuid        PRIMARY KEY,
    saga_type        text        NOT NULL,
    correlation_id   text        NOT NULL,
    -- one saga per starting event, however many hubs read it
    start_event_id   uuid        NOT NULL,
    status           text        NOT NULL DEFAULT 'running'
                                 CHECK (status IN ('running', 'compensating', 'completed', 'compensated', 'failed')),
    -- why it compensates: the declined step's reason (payment_failed...) or timeout
    reason           text,
    -- the starting event's data, merged with each step's response fields (they feed later calls)
    data             jsonb       NOT NULL,
    -- running: the step whose action is next (= number of steps: the completion command);
    -- compensating: the step whose compensation is next (-1: the compensation command)
    current_step     int         NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    -- the hub instance running its current call, until when (another takes it over after that)
    claimed_by       text,
    claimed_until    timestamptz,
    last_error       text,
    started_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    ended_at         timestamptz,
    CONSTRAINT sagas_one_per_starting_event UNIQUE (saga_type, start_event_id)
);
CREATE INDEX sagas_due ON sagas (saga_type, next_attempt_at) WHERE status IN ('running', 'compensating');
CREATE INDEX sagas_correlation ON sagas (correlation_id);

-- One row per call of a saga: a step's action or compensation, or the final command (step completed or
-- compensated, phase command). Its Idempotency-Key is <saga_id>:<step>:<phase>.
CREATE TABLE saga_steps (
    saga_id      uuid        NOT NULL REFERENCES sagas (saga_id),
    step         text        NOT NULL,
    phase        text        NOT NULL CHECK (phase IN ('action', 'compensation', 'command')),
    position     int         NOT NULL,
    outcome      text        NOT NULL DEFAULT 'pending'
                             CHECK (outcome IN ('pending', 'succeeded', 'declined', 'timed_out', 'failed')),
    attempts     int         NOT NULL DEFAULT 0,
    last_status  int,
    last_error   text,
    response     jsonb,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    PRIMARY KEY (saga_id, step, phase)
);
