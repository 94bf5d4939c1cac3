package dev.herald.relay;

import dev.herald.store.EventStore;
import dev.herald.store.Outbox;
import dev.herald.store.PendingEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A relay's claims: one row per batch in {@code relay_claims} (V7), naming the batch's aggregates and a lease,
 * instead of an update of every event it holds. Claims are taken and renewed one relay at a time (an advisory
 * lock per schema, held for the claiming transaction), so two relays never hold the same aggregate while both
 * leases run. The event rows are written once, when they are published. Sync lanes still hold their own
 * events on the event row ({@code claimed_by}, {@code claimed_until}), and a claim skips those too.
 */
final class RelayClaims {

    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.relay_claims'))";

    /** Aggregates in another batch's live claim (parameters: this claimant and batch, left out). */
    private static final String HELD_BY_RELAYS = """
            SELECT a.type, a.id FROM relay_claims c, unnest(c.aggregate_types, c.aggregate_ids) AS a(type, id)
             WHERE c.claimed_until >= now() AND NOT (c.claimant = ? AND c.batch = ?)""";

    private static final String CLAIM = """
            SELECT e.seq, e.event_id, e.event_type, e.topic, e.aggregate_type, e.aggregate_id, e.envelope,
                   e.occurred_at, e.traceparent
              FROM events e
             WHERE e.published_at IS NULL AND e.dead_lettered_at IS NULL
               AND (e.claimed_until IS NULL OR e.claimed_until < now())
               -- skip aggregates a lane is publishing (a hashed subplan from the small index of held events)
               AND (e.aggregate_type, e.aggregate_id) NOT IN (
                   SELECT h.aggregate_type, h.aggregate_id FROM events h
                    WHERE h.claimed_by IS NOT NULL AND h.published_at IS NULL AND h.dead_lettered_at IS NULL
                      AND h.claimed_until >= now())
               -- and those in a relay's batch, this relay's batch in flight included
               AND (e.aggregate_type, e.aggregate_id) NOT IN (%s)
               -- strict order: a dead letter holds back the rest of its aggregate until it is resolved
               AND NOT EXISTS (SELECT 1 FROM events b WHERE b.blocks_aggregate
                                  AND b.aggregate_type = e.aggregate_type AND b.aggregate_id = e.aggregate_id)
             ORDER BY e.seq
             LIMIT ?""".formatted(HELD_BY_RELAYS);

    /** Of a batch, what is still to publish and not held by another batch meanwhile (its lease ran out). */
    private static final String STILL_OURS = """
            SELECT e.seq, e.aggregate_type, e.aggregate_id FROM events e
             WHERE e.seq = ANY (?) AND e.published_at IS NULL AND e.dead_lettered_at IS NULL
               AND (e.aggregate_type, e.aggregate_id) NOT IN (%s)""".formatted(HELD_BY_RELAYS);

    private static final String HOLD = """
            INSERT INTO relay_claims (claimant, batch, aggregate_types, aggregate_ids, claimed_until)
            VALUES (?, ?, ?, ?, now() + make_interval(secs => ?))
            ON CONFLICT (claimant, batch) DO UPDATE
               SET aggregate_types = EXCLUDED.aggregate_types, aggregate_ids = EXCLUDED.aggregate_ids,
                   claimed_until = EXCLUDED.claimed_until""";

    private final String claimant;
    private final Duration lease;

    RelayClaims(String claimant, Duration lease) {
        this.claimant = claimant;
        this.lease = lease;
    }

    /** Claims up to {@code limit} events, in seq order, as batch {@code batch}. */
    List<PendingEvent> claim(Connection connection, long batch, int limit) throws SQLException {
        return inTransaction(connection, true, () -> {
            try (PreparedStatement expired = connection.prepareStatement(
                    "DELETE FROM relay_claims WHERE claimed_until < now()")) {
                expired.executeUpdate();
            }
            List<PendingEvent> claimed = new ArrayList<>();
            Aggregates aggregates = new Aggregates();
            try (PreparedStatement statement = connection.prepareStatement(CLAIM)) {
                statement.setString(1, claimant);
                statement.setLong(2, -1); // no batch of ours is left out: the one in flight is held too
                statement.setInt(3, limit);
                try (ResultSet row = statement.executeQuery()) {
                    while (row.next()) {
                        claimed.add(new PendingEvent(row.getLong("seq"), row.getObject("event_id", UUID.class),
                                row.getString("event_type"), row.getString("topic"), row.getString("aggregate_id"),
                                row.getString("envelope"), row.getObject("occurred_at", OffsetDateTime.class),
                                row.getString("traceparent")));
                        aggregates.add(row.getString("aggregate_type"), row.getString("aggregate_id"));
                    }
                }
            }
            if (!claimed.isEmpty()) {
                hold(connection, batch, aggregates);
            }
            return claimed;
        });
    }

    /**
     * Extends the lease of a batch, on what is still to publish and not taken by another relay after the
     * lease ran out; answers those events' seqs.
     */
    Set<Long> renew(Connection connection, long batch, Collection<PendingEvent> events) throws SQLException {
        return inTransaction(connection, true, () -> {
            Set<Long> ours = new HashSet<>();
            Aggregates aggregates = new Aggregates();
            try (PreparedStatement statement = connection.prepareStatement(STILL_OURS)) {
                statement.setArray(1, connection.createArrayOf("bigint",
                        events.stream().map(PendingEvent::seq).toArray()));
                statement.setString(2, claimant);
                statement.setLong(3, batch);
                try (ResultSet row = statement.executeQuery()) {
                    while (row.next()) {
                        ours.add(row.getLong(1));
                        aggregates.add(row.getString(2), row.getString(3));
                    }
                }
            }
            hold(connection, batch, aggregates);
            return ours;
        });
    }

    /** Marks published events and ends the claims of finished batches, in one transaction. */
    void finish(Connection connection, Collection<Long> published, Collection<Long> batches) throws SQLException {
        inTransaction(connection, false, () -> {
            if (!published.isEmpty()) {
                Outbox.markPublishedBySeq(connection, published);
            }
            return end(connection, batches);
        });
    }

    /** Hands a batch back at once (a stopping relay), instead of when its lease runs out. */
    void release(Connection connection, long batch) throws SQLException {
        if (end(connection, List.of(batch)) > 0) {
            Outbox.wakeRelay(connection);
        }
    }

    /** At start: claims left by an earlier run of this relay are void. */
    void releaseAll(Connection connection) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM relay_claims WHERE claimant = ?")) {
            delete.setString(1, claimant);
            delete.executeUpdate();
        }
    }

    private int end(Connection connection, Collection<Long> batches) throws SQLException {
        if (batches.isEmpty()) {
            return 0;
        }
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM relay_claims WHERE claimant = ? AND batch = ANY (?)")) {
            delete.setString(1, claimant);
            delete.setArray(2, connection.createArrayOf("bigint", batches.toArray()));
            return delete.executeUpdate();
        }
    }

    private void hold(Connection connection, long batch, Aggregates aggregates) throws SQLException {
        try (PreparedStatement hold = connection.prepareStatement(HOLD)) {
            hold.setString(1, claimant);
            hold.setLong(2, batch);
            hold.setArray(3, connection.createArrayOf("text", aggregates.types.toArray()));
            hold.setArray(4, connection.createArrayOf("text", aggregates.ids.toArray()));
            hold.setLong(5, lease.toSeconds());
            hold.executeUpdate();
        }
    }

    /** One transaction; {@code locked}: under the advisory lock that makes relays claim one at a time. */
    private static <T> T inTransaction(Connection connection, boolean locked, SqlWork<T> work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            if (locked) {
                try (PreparedStatement lock = connection.prepareStatement(LOCK)) {
                    lock.execute();
                }
            }
            T result = work.run();
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /** Distinct (type, id) pairs as two parallel arrays, the form {@code unnest} pairs up again. */
    private static final class Aggregates {
        private final Set<List<String>> seen = new HashSet<>();
        private final List<String> types = new ArrayList<>();
        private final List<String> ids = new ArrayList<>();

        void add(String type, String id) {
            if (seen.add(List.of(type, id))) {
                types.add(type);
                ids.add(id);
            }
        }
    }
}
