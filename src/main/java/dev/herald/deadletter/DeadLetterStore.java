package dev.herald.deadletter;

import dev.herald.http.Problem;
import dev.herald.trace.Traces;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one dead-letter store (seed 004's record: originalEvent, failureReason, failureCount, failedAt,
 * nextRetry; plus stage, destination and error class). The event row is marked so nothing claims it again
 * until an operator retries it.
 */
public final class DeadLetterStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);

    private final DataSource dataSource;
    private final MeterRegistry meters;
    private final Map<String, Counter> recorded = new ConcurrentHashMap<>();

    private final DeadLetterMirror mirror;
    private final Map<String, Redelivery> redeliveries = new ConcurrentHashMap<>();

    /** {@code mirrorTopic}: Kafka topic every dead letter is copied to (blank: none). */
    public DeadLetterStore(DataSource dataSource, MeterRegistry meters, String brokers, String mirrorTopic) {
        this.dataSource = dataSource;
        this.meters = meters;
        this.mirror = new DeadLetterMirror(brokers, mirrorTopic);
    }

    /** How a stage takes a dead letter back for another try, inside the operator's transaction. */
    @FunctionalInterface
    public interface Redelivery {
        void redeliver(Connection transaction, UUID eventId, String destination) throws SQLException;

        /** What an operator's discard asks of the stage, in the same transaction (by default nothing). */
        default void discarded(Connection transaction, UUID eventId, String destination) throws SQLException {
        }
    }

    /**
     * Every stage registers how its dead letters are retried (and what a discard asks of it): the relay's
     * {@code kafka}, the bridges' {@code rabbitmq} and {@code webhook}, sinks' {@code sink:<route>}.
     */
    public void onRetry(String stage, Redelivery redelivery) {
        redeliveries.put(stage, redelivery);
    }

    /** What an operator decided about a dead letter. */
    public enum Resolution {
        RETRIED, DISCARDED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A stage gave up on delivering an event to one destination. */
    public void record(DeadLetter letter) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            recordedAs(insert(connection, letter), letter);
        }
    }

    /**
     * The same inside the caller's transaction, so a reader never sees the dead letter without the stage's
     * own end of the delivery (or the reverse); call {@link Recorded#announce()} once that transaction
     * committed (metrics, log, mirror topic).
     */
    public Recorded record(Connection transaction, DeadLetter letter) throws SQLException {
        long id = insert(transaction, letter);
        return () -> recordedAs(id, letter);
    }

    /** A dead letter written in a transaction not yet committed. */
    @FunctionalInterface
    public interface Recorded {
        void announce();
    }

    private static long insert(Connection connection, DeadLetter letter) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO dead_letters (stage, destination, event_id, event_type, aggregate_id, original_event,
                                          failure_reason, error_class, failure_count)
                VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?) RETURNING id""")) {
            insert.setString(1, letter.stage());
            insert.setString(2, letter.destination());
            insert.setObject(3, letter.eventId());
            insert.setString(4, letter.eventType());
            insert.setString(5, letter.aggregateId());
            insert.setString(6, letter.originalEvent());
            insert.setString(7, letter.failureReason());
            insert.setString(8, letter.errorClass());
            insert.setInt(9, letter.failureCount());
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private void recordedAs(long id, DeadLetter letter) {
        recorded.computeIfAbsent(letter.stage(), stage -> Counter.builder("herald.dead.letters.recorded")
                .description("Events a stage gave up on").tag("stage", stage).register(meters)).increment();
        // whichever stage and thread gave up on it, the line carries the event's trace id (the context it was stored
        // with, in its envelope), so an operator finds the request it came from
        try (Traces.Logged logged = Traces.logged(Traces.ofEnvelope(letter.originalEvent()))) {
            LOG.error("event {} ({}) dead-lettered as {} at stage {} ({}) after {} attempts: {}", letter.eventId(),
                    letter.eventType(), id, letter.stage(), letter.destination(), letter.failureCount(),
                    letter.failureReason());
            mirror.mirror(id, letter);
        }
    }

    /**
     * Resolves an open dead letter inside the caller's transaction: 404 if there is none, 409 if it was
     * resolved already or its stage cannot take it back. Retried: its stage gets the same event again.
     * Discarded: kept as it is; a strict-order aggregate it held back goes on.
     */
    public void resolve(Connection transaction, long id, Resolution resolution) throws SQLException {
        String stage;
        UUID eventId;
        String destination;
        try (PreparedStatement select = transaction.prepareStatement(
                "SELECT stage, event_id, destination, resolution FROM dead_letters WHERE id = ? FOR UPDATE")) {
            select.setLong(1, id);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw Problem.notFound("dead letter " + id + " does not exist");
                }
                if (row.getString("resolution") != null) {
                    throw Problem.conflict("already-resolved", "dead letter " + id + " was "
                            + row.getString("resolution") + " already");
                }
                stage = row.getString("stage");
                eventId = row.getObject("event_id", UUID.class);
                destination = row.getString("destination");
            }
        }
        Redelivery redelivery = redeliveries.get(stage);
        if (resolution == Resolution.RETRIED) {
            if (redelivery == null) {
                throw Problem.conflict("not-retriable", "stage " + stage + " cannot take dead letters back");
            }
            redelivery.redeliver(transaction, eventId, destination);
        } else if (redelivery != null) {
            redelivery.discarded(transaction, eventId, destination);
        }
        try (PreparedStatement update = transaction.prepareStatement("""
                UPDATE dead_letters SET resolution = ?, resolved_at = now(),
                       next_retry = CASE WHEN ? THEN now() END
                 WHERE id = ?""")) {
            update.setString(1, resolution.label());
            update.setBoolean(2, resolution == Resolution.RETRIED);
            update.setLong(3, id);
            update.executeUpdate();
        }
    }

    @Override
    public void close() {
        mirror.close();
    }
}
