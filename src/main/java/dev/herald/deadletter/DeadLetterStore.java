package dev.herald.deadletter;

import dev.herald.relay.OutboxRelay;
import dev.herald.relay.OutboxRelay.PendingEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one dead-letter store (seed 004's record: originalEvent, failureReason, failureCount, failedAt,
 * nextRetry; plus stage, destination and error class). The event row is marked so nothing claims it again
 * until an operator retries it.
 */
public final class DeadLetterStore {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);

    private final DataSource dataSource;
    private final MeterRegistry meters;
    private final Map<String, Counter> recorded = new ConcurrentHashMap<>();

    public DeadLetterStore(DataSource dataSource, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.meters = meters;
    }

    /** Dead letter channel endpoint of the relay route: its retries for a whole batch are spent. */
    @SuppressWarnings("unchecked")
    public void recordExhausted(Exchange exchange) throws SQLException {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Object body = exchange.getIn().getBody();
        if (!(body instanceof List<?> batch) || batch.isEmpty()) {
            LOG.warn("relay run failed before it held events; it tries again on its next run", failure);
            return;
        }
        Throwable cause = failure != null && failure.getCause() != null ? failure.getCause() : failure;
        for (PendingEvent event : (List<PendingEvent>) batch) {
            record(event, cause, exchange.getProperty(OutboxRelay.BATCH_ATTEMPTS, 1, Integer.class));
        }
    }

    /** The relay gave up on an event: recorded, and its outbox row marked so nothing claims it again. */
    public void record(PendingEvent event, Throwable failure, int attempts) throws SQLException {
        DeadLetter letter = DeadLetter.of("kafka", event.topic(), event.eventId(), event.eventType(),
                event.aggregateId(), event.envelope(), failure, attempts);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            insert(connection, letter);
            try (PreparedStatement mark = connection.prepareStatement("""
                    UPDATE events SET dead_lettered_at = now(), claimed_until = NULL, claimed_by = NULL,
                                      last_error = ?
                     WHERE event_id = ?""")) {
                mark.setString(1, letter.errorClass() + ": " + letter.failureReason());
                mark.setObject(2, event.eventId());
                mark.executeUpdate();
            }
            connection.commit();
        }
        logged(letter);
    }

    /** Any stage (a bridge) gave up on delivering an event to one destination. */
    public void record(DeadLetter letter) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            insert(connection, letter);
        }
        logged(letter);
    }

    private void insert(Connection connection, DeadLetter letter) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO dead_letters (stage, destination, event_id, event_type, aggregate_id, original_event,
                                          failure_reason, error_class, failure_count)
                VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?)""")) {
            insert.setString(1, letter.stage());
            insert.setString(2, letter.destination());
            insert.setObject(3, letter.eventId());
            insert.setString(4, letter.eventType());
            insert.setString(5, letter.aggregateId());
            insert.setString(6, letter.originalEvent());
            insert.setString(7, letter.failureReason());
            insert.setString(8, letter.errorClass());
            insert.setInt(9, letter.failureCount());
            insert.executeUpdate();
        }
        recorded.computeIfAbsent(letter.stage(), stage -> Counter.builder("herald.dead.letters.recorded")
                .description("Events a stage gave up on").tag("stage", stage).register(meters)).increment();
    }

    private static void logged(DeadLetter letter) {
        LOG.error("event {} ({}) dead-lettered at stage {} ({}) after {} attempts: {}", letter.eventId(),
                letter.eventType(), letter.stage(), letter.destination(), letter.failureCount(),
                letter.failureReason());
    }
}
