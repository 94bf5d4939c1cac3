package dev.herald.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.UUID;

/**
 * The event table as the outbox: who holds an unpublished event (a lane's lease, the relay's claim), marking it
 * published, handing it to the relay. {@link EventStore} appends the rows; this moves them along.
 */
public final class Outbox {

    private Outbox() {
    }

    private static final String PUBLISHED = """
            UPDATE events SET published_at = now(), publish_attempts = publish_attempts + 1,
                              claimed_until = NULL, claimed_by = NULL, last_error = NULL
             WHERE %s = ANY (?) AND published_at IS NULL""";

    /** Marks events as published (after their Kafka transaction committed); idempotent. */
    public static void markPublished(Connection connection, Collection<UUID> eventIds) throws SQLException {
        updateEvents(connection, "uuid", eventIds, PUBLISHED.formatted("event_id"));
    }

    /** The same by seq (what the relay knows its events by). */
    public static void markPublishedBySeq(Connection connection, Collection<Long> seqs) throws SQLException {
        updateEvents(connection, "bigint", seqs, PUBLISHED.formatted("seq"));
    }

    /** Hands events a lane could not publish to the relay at once, instead of when their lease runs out. */
    public static void releaseClaims(Connection connection, Collection<UUID> eventIds) throws SQLException {
        updateEvents(connection, "uuid", eventIds, """
                UPDATE events SET claimed_until = NULL, claimed_by = NULL, publish_attempts = publish_attempts + 1
                 WHERE event_id = ANY (?) AND published_at IS NULL""");
        wakeRelay(connection);
    }

    /** Tells the relays (LISTEN herald_outbox) that events wait; sent when the transaction commits. */
    public static void wakeRelay(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT pg_notify('herald_outbox', current_schema())")) {
            statement.execute();
        }
    }

    /** At start: whatever this instance held when it stopped is the relay's now. */
    public static void releaseClaimsOf(Connection connection, String instanceId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "UPDATE events SET claimed_until = NULL, claimed_by = NULL WHERE claimed_by = ? AND published_at IS NULL"
                        + " AND dead_lettered_at IS NULL")) { // the index of held events
            statement.setString(1, instanceId);
            statement.executeUpdate();
        }
    }

    /** Runs {@code sql} with the keys (event ids or seqs, of SQL type {@code keyType}) as its one array parameter. */
    private static void updateEvents(Connection connection, String keyType, Collection<?> keys, String sql)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setArray(1, connection.createArrayOf(keyType, keys.toArray()));
            statement.executeUpdate();
        }
    }

    /** The relay gave up on the event: nothing claims it again; with strict order its aggregate waits behind it. */
    public static void markDeadLettered(Connection transaction, UUID eventId, String error, boolean blocksAggregate)
            throws SQLException {
        try (PreparedStatement mark = transaction.prepareStatement("""
                UPDATE events SET dead_lettered_at = now(), claimed_until = NULL, claimed_by = NULL,
                                  last_error = ?, blocks_aggregate = ?
                 WHERE event_id = ?""")) {
            mark.setString(1, error);
            mark.setBoolean(2, blocksAggregate);
            mark.setObject(3, eventId);
            mark.executeUpdate();
        }
    }

    /** A dead-lettered event back in the outbox with fresh attempts, and the relay woken. */
    public static void republish(Connection transaction, UUID eventId) throws SQLException {
        try (PreparedStatement update = transaction.prepareStatement("""
                UPDATE events SET dead_lettered_at = NULL, blocks_aggregate = false, publish_attempts = 0,
                                  last_error = NULL, claimed_until = NULL, claimed_by = NULL
                 WHERE event_id = ? AND published_at IS NULL""")) {
            update.setObject(1, eventId);
            update.executeUpdate();
        }
        wakeRelay(transaction);
    }

    /** A discarded dead letter no longer holds its aggregate back. */
    public static void unblock(Connection transaction, UUID eventId) throws SQLException {
        try (PreparedStatement update = transaction.prepareStatement(
                "UPDATE events SET blocks_aggregate = false WHERE event_id = ? AND blocks_aggregate")) {
            update.setObject(1, eventId);
            if (update.executeUpdate() > 0) {
                wakeRelay(transaction);
            }
        }
    }
}
