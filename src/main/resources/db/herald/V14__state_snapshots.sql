-- Snapshots of aggregates' states for ?as_of= reads (docs/events.md, "Snapshots"; issue 22 §1). The state at T is
-- the newest snapshot at or before the version current at T, plus the events after it up to that version, instead of
-- every event from version 1. A snapshot is a cache, never a source: the events stay the truth, any snapshot row may
-- be deleted at any time (the next read folds from an older one, or from version 1, and takes it again).
--
-- fold_key says what the state was folded with: the state-at route's fold step (its URI, with its snapshotEvery) and
-- the event schema registry's fingerprint (every type's versions and upcaster programs). A read uses only snapshots of
-- its own key, because a state folded under other upcasters, or by another fold, is not the state today's fold gives
-- for the same events: a new event version or an edited upcaster changes the shape every older event is read in, so
-- the snapshots taken before it are stale. They are then simply not read (and may be deleted: docs/events.md).
-- state NULL: the aggregate did not exist after that version (a deletedBy event ended it).
CREATE TABLE state_snapshots (
    aggregate_type     text        NOT NULL,
    aggregate_id       text        NOT NULL,
    fold_key           text        NOT NULL,
    aggregate_version  int         NOT NULL,
    state              jsonb,
    taken_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (aggregate_type, aggregate_id, fold_key, aggregate_version)
);
