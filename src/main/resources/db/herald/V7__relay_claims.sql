-- The relay claims a batch with one row here instead of an update of every event in it: the aggregates of
-- the batch and a lease. Claims are taken one relay at a time (an advisory lock per schema), so two relays
-- never take the same aggregates while both leases run; a crashed relay's row just expires. Sync lanes
-- still hold their own events on the event row (claimed_by, claimed_until), as before.
CREATE TABLE relay_claims (
    claimant         text          NOT NULL,
    batch            bigint        NOT NULL,
    aggregate_types  text[]        NOT NULL,
    aggregate_ids    text[]        NOT NULL,
    claimed_until    timestamptz   NOT NULL,
    PRIMARY KEY (claimant, batch)
);
