package dev.herald.bridge.webhook;

import dev.herald.bridge.webhook.Dispatcher.Claimed;
import dev.herald.bridge.webhook.Payloads.Outgoing;
import dev.herald.deadletter.DeadLetter;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.intake.JsonBodies;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what an attempt brought, in one transaction: the attempt row, then the delivery succeeded,
 * rescheduled (the retry schedule or Retry-After), dead-lettered, or kept while its endpoint is disabled
 * (410 Gone, failing longer than disable-after).
 */
final class AttemptRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(AttemptRecorder.class);

    private final DataSource dataSource;
    private final RetrySchedule schedule;
    private final Duration disableAfter;
    private final DeadLetterStore deadLetters;
    private final WebhookMetrics metrics;

    AttemptRecorder(DataSource dataSource, WebhookSettings settings, DeadLetterStore deadLetters,
            WebhookMetrics metrics) {
        this.dataSource = dataSource;
        this.schedule = new RetrySchedule(settings.retrySchedule(), settings.jitter(), settings.maxRetryAfter());
        this.disableAfter = settings.disableAfter();
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    void record(Claimed delivery, Endpoint endpoint, Outgoing outgoing, Outcome outcome, Duration took)
            throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            insertAttempt(connection, delivery.id(), outgoing, outcome, took);
            String result = outcome.succeeded() ? succeeded(connection, delivery, endpoint, outcome)
                    : failed(connection, delivery, endpoint, outcome);
            connection.commit();
            metrics.attempt(endpoint.id(), result, took);
        }
    }

    private static String succeeded(Connection connection, Claimed delivery, Endpoint endpoint, Outcome outcome)
            throws SQLException {
        update(connection, """
                UPDATE webhook_deliveries SET status = 'succeeded', finished_at = now(), claimed_until = NULL,
                                              claimed_by = NULL, last_status = ?, last_error = NULL
                 WHERE id = ?""", outcome.status(), delivery.id());
        update(connection, "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL",
                endpoint.id());
        return "success";
    }

    /** Disables the endpoint (keeping the delivery), schedules the next attempt, or dead-letters. */
    private String failed(Connection connection, Claimed delivery, Endpoint endpoint, Outcome outcome)
            throws SQLException {
        String disabledBecause = outcome.status() != null && outcome.status() == 410 ? "the endpoint answered 410 Gone"
                : !outcome.refusedForGood() && failingTooLong(connection, endpoint.id())
                        ? "failing for longer than herald.webhooks.disable-after" : null;
        if (disabledBecause != null) {
            disable(connection, endpoint.id(), disabledBecause);
            reschedule(connection, delivery, outcome, Duration.ZERO);
            return "failure";
        }
        Duration wait = outcome.refusedForGood() ? null : schedule.after(delivery.attempts(), outcome.retryAfter());
        if (wait != null) {
            reschedule(connection, delivery, outcome, wait);
            return "failure";
        }
        update(connection, """
                UPDATE webhook_deliveries SET status = 'dead', finished_at = now(), claimed_until = NULL,
                                              claimed_by = NULL, last_status = ?, last_error = ?
                 WHERE id = ?""", outcome.status(), outcome.error(), delivery.id());
        // recorded before the delivery's end commits: a crash in between repeats, never loses
        deadLetters.record(DeadLetter.of("webhook", endpoint.url().toString(), delivery.eventId(),
                delivery.eventType(), delivery.aggregateId(), delivery.envelope(),
                new WebhookDeliveryFailed(endpoint.id(), outcome.lastAnswer()), delivery.attempts()));
        return "dead";
    }

    private static void insertAttempt(Connection connection, long deliveryId, Outgoing outgoing, Outcome outcome,
            Duration took) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO webhook_attempts (delivery_id, request_headers, response_status, response_excerpt,
                                              duration_ms, error)
                VALUES (?, CAST(? AS jsonb), ?, ?, ?, ?)""")) {
            insert.setLong(1, deliveryId);
            insert.setString(2, JsonBodies.MAPPER.valueToTree(outgoing.headers()).toString());
            insert.setObject(3, outcome.status());
            insert.setString(4, outcome.excerpt());
            insert.setLong(5, took.toMillis());
            insert.setString(6, outcome.succeeded() ? null : outcome.error());
            insert.executeUpdate();
        }
    }

    private static void reschedule(Connection connection, Claimed delivery, Outcome outcome, Duration wait)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE webhook_deliveries
                   SET next_attempt_at = now() + make_interval(secs => ?), claimed_until = NULL, claimed_by = NULL,
                       last_status = ?, last_error = ?
                 WHERE id = ?""")) {
            update.setDouble(1, wait.toMillis() / 1000.0);
            update.setObject(2, outcome.status());
            update.setString(3, outcome.error());
            update.setLong(4, delivery.id());
            update.executeUpdate();
        }
    }

    /** Starts (or continues) the endpoint's failure streak; true once it is older than disable-after. */
    private boolean failingTooLong(Connection connection, UUID endpoint) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now())
                 WHERE id = ?
                RETURNING failing_since < now() - make_interval(secs => ?)""")) {
            update.setObject(1, endpoint);
            update.setDouble(2, disableAfter.toMillis() / 1000.0);
            try (ResultSet row = update.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    private static void disable(Connection connection, UUID endpoint, String reason) throws SQLException {
        update(connection, "UPDATE webhook_endpoints SET enabled = false, disabled_reason = ?, updated_at = now() "
                + "WHERE id = ? AND enabled", reason, endpoint);
        LOG.warn("webhook endpoint {} disabled: {}; its deliveries are kept", endpoint, reason);
    }

    private static void update(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                update.setObject(i + 1, parameters[i]);
            }
            update.executeUpdate();
        }
    }
}
