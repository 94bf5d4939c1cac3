package dev.herald.deadletter;

import dev.herald.relay.OutboxRelay;
import dev.herald.relay.OutboxRelay.PendingEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
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

    public DeadLetterStore(DataSource dataSource) {
        this.dataSource = dataSource;
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

    public void record(PendingEvent event, Throwable failure, int attempts) throws SQLException {
        String reason = failure == null ? "unknown" : String.valueOf(failure.getMessage());
        String errorClass = failure == null ? "unknown" : failure.getClass().getName();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO dead_letters (stage, destination, event_id, event_type, aggregate_id, original_event,
                                              failure_reason, error_class, failure_count)
                    VALUES ('kafka', ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?)""");
                    PreparedStatement mark = connection.prepareStatement("""
                    UPDATE events SET dead_lettered_at = now(), claimed_until = NULL, claimed_by = NULL,
                                      last_error = ?
                     WHERE event_id = ?""")) {
                insert.setString(1, event.topic());
                insert.setObject(2, event.eventId());
                insert.setString(3, event.eventType());
                insert.setString(4, event.aggregateId());
                insert.setString(5, event.envelope());
                insert.setString(6, reason);
                insert.setString(7, errorClass);
                insert.setInt(8, attempts);
                insert.executeUpdate();
                mark.setString(1, errorClass + ": " + reason);
                mark.setObject(2, event.eventId());
                mark.executeUpdate();
            }
            connection.commit();
        }
        LOG.error("event {} ({}) dead-lettered after {} attempts: {}", event.eventId(), event.eventType(), attempts,
                reason);
    }
}
