package dev.herald.projection;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of projections: their rows in {@code projections} (position, status) and the event store read in commit
 * order.
 *
 * <p>Commit order without gaps: {@code seq} is taken when a row is inserted, not when its transaction commits, so a
 * reader that went by {@code seq} alone would pass an event whose transaction is still open and never come back for
 * it. A projection reads only events whose transaction id lies below the oldest transaction still running
 * ({@code pg_snapshot_xmin(pg_current_snapshot())}): every one of those transactions has ended, so that set of
 * events is final, and it grows only at its end when read in ({@code tx_id}, {@code seq}) order. The position is
 * that pair. (Ordering by {@code seq} with the same filter would not do: a transaction with a larger id may hold a
 * smaller {@code seq}.)
 */
final class Positions {

    /** The projection's row, locked for this transaction; none while another instance holds it. */
    private static final String LOCK = """
            SELECT CAST(position_tx AS text), position_seq, status FROM projections WHERE name = ?
               FOR UPDATE SKIP LOCKED""";
    private static final String NEXT = """
            SELECT CAST(tx_id AS text), seq, event_id, event_type, aggregate_type, aggregate_id, aggregate_version,
                   occurred_at, schema_version, CASE WHEN event_type LIKE ANY (?) THEN envelope END, traceparent
              FROM events
             WHERE (tx_id, seq) > (CAST(? AS xid8), ?)
               AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY tx_id, seq
             LIMIT ?""";
    /*
     * LOOK and LAG read from the position on, through events_commit_order. As a join or an EXISTS on the projection's
     * row, the planner cannot see how few events lie past the position and scanned the whole event store, twice per
     * herald.projections.interval while the projection is idle (~30 ms of PostgreSQL CPU each at 100,000 events:
     * docs/performance.md, "Relay pipeline"). LOOK: the first event past it, in index order (a lateral LIMIT 1).
     * LAG: counted with the position as values, which the planner weighs against the index's statistics.
     */
    private static final String LOOK = """
            SELECT p.status = 'failed', w.seq IS NOT NULL
              FROM projections p LEFT JOIN LATERAL (
                   SELECT e.seq FROM events e
                    WHERE (e.tx_id, e.seq) > (p.position_tx, p.position_seq)
                      AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
                    ORDER BY e.tx_id, e.seq
                    LIMIT 1) w ON true
             WHERE p.name = ?""";
    private static final String LAG = """
            SELECT count(*) FROM events
             WHERE (tx_id, seq) > (CAST(? AS xid8), ?) AND event_type LIKE ANY (?)""";

    private Positions() {
    }

    /** Where a projection stands. */
    record Position(String txId, long seq, boolean failed) {
        static final Position START = new Position("0", 0, false);
    }

    /** Its row (a new projection starts before the first event); answers where it stands. */
    static Position declare(Connection connection, String name) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO projections (name) VALUES (?) ON CONFLICT (name) DO NOTHING")) {
            insert.setString(1, name);
            insert.executeUpdate();
        }
        return at(connection, name).orElseThrow();
    }

    /** Where it stands, read without a lock. */
    private static Optional<Position> at(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT CAST(position_tx AS text), position_seq, status FROM projections WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new Position(row.getString(1), row.getLong(2),
                        "failed".equals(row.getString(3)))) : Optional.empty();
            }
        }
    }

    static Optional<Position> lock(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(LOCK)) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new Position(row.getString(1), row.getLong(2),
                        "failed".equals(row.getString(3)))) : Optional.empty();
            }
        }
    }

    /** What a look without a lock (no transaction id spent, nothing written) finds: stopped, or events waiting. */
    record Look(boolean failed, boolean waiting) {
    }

    static Look look(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(LOOK)) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? new Look(row.getBoolean(1), row.getBoolean(2)) : new Look(false, false);
            }
        }
    }

    /** Up to {@code limit} events after {@code position} in commit order, among those whose set is final. */
    static List<StoredEvent> next(Connection connection, Position position, List<String> types, int limit)
            throws SQLException {
        List<StoredEvent> events = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(NEXT)) {
            select.setArray(1, likePatterns(connection, types));
            select.setString(2, position.txId());
            select.setLong(3, position.seq());
            select.setInt(4, limit);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    events.add(new StoredEvent(row.getString(1), row.getLong(2), row.getObject(3, UUID.class),
                            row.getString(4), row.getString(5), row.getString(6), row.getInt(7),
                            row.getObject(8, OffsetDateTime.class), row.getInt(9), row.getString(10),
                            row.getString(11)));
                }
            }
        }
        return events;
    }

    /** After the read model took events: the position moves to the last one, in the same transaction. */
    static void advance(Connection connection, String name, StoredEvent last, int applied) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE projections SET position_tx = CAST(? AS xid8), position_seq = ?, applied = applied + ?,
                       updated_at = now()
                 WHERE name = ?""")) {
            update.setString(1, last.txId());
            update.setLong(2, last.seq());
            update.setInt(3, applied);
            update.setString(4, name);
            update.executeUpdate();
        }
    }

    /** A rebuild replayed the store up to {@code last} (null: no event), applying {@code applied} events. */
    static void rebuilt(Connection connection, String name, StoredEvent last, long applied) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE projections SET position_tx = CAST(? AS xid8), position_seq = ?, applied = ?, status = 'live',
                       last_error = NULL, failed_event_id = NULL, updated_at = now()
                 WHERE name = ?""")) {
            update.setString(1, last == null ? Position.START.txId() : last.txId());
            update.setLong(2, last == null ? Position.START.seq() : last.seq());
            update.setLong(3, applied);
            update.setString(4, name);
            update.executeUpdate();
        }
    }

    /** The projection stops at {@code event}: the position stays before it, until an operator resolves it. */
    static void fail(Connection connection, String name, StoredEvent event, String error) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE projections SET status = 'failed', last_error = ?, failed_event_id = ?, updated_at = now()
                 WHERE name = ?""")) {
            update.setString(1, error);
            update.setObject(2, event.eventId());
            update.setString(3, name);
            update.executeUpdate();
        }
    }

    /**
     * An operator's retry of the event the projection stopped at: it goes on from there (the event is tried
     * again). Answers whether the projection was stopped at that event.
     */
    static boolean resume(Connection connection, String name, UUID eventId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE projections SET status = 'live', last_error = NULL, failed_event_id = NULL, updated_at = now()
                 WHERE name = ? AND status = 'failed' AND failed_event_id = ?""")) {
            update.setString(1, name);
            update.setObject(2, eventId);
            return update.executeUpdate() == 1;
        }
    }

    /** An operator's discard of the event the projection stopped at: it goes on after it, the event not applied. */
    static boolean skip(Connection connection, String name, UUID eventId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE projections p SET status = 'live', last_error = NULL, failed_event_id = NULL,
                       position_tx = e.tx_id, position_seq = e.seq, updated_at = now()
                  FROM events e
                 WHERE p.name = ? AND p.status = 'failed' AND p.failed_event_id = ? AND e.event_id = p.failed_event_id""")) {
            update.setString(1, name);
            update.setObject(2, eventId);
            return update.executeUpdate() == 1;
        }
    }

    /** Events of its types committed after the projection's position. */
    static long lag(Connection connection, String name, List<String> types) throws SQLException {
        Position at = at(connection, name).orElse(Position.START);
        try (PreparedStatement count = connection.prepareStatement(LAG)) {
            count.setString(1, at.txId());
            count.setLong(2, at.seq());
            count.setArray(3, likePatterns(connection, types));
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** {@code order.*} as the LIKE pattern {@code order.%} (LIKE's own wildcards taken literally). */
    private static Array likePatterns(Connection connection, List<String> types) throws SQLException {
        Object[] patterns = types.stream().map(type -> type.replace("\\", "\\\\").replace("%", "\\%")
                .replace("_", "\\_").replace("*", "%")).toArray();
        return connection.createArrayOf("text", patterns);
    }
}
