package dev.herald.bridge.webhook;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.herald.bridge.webhook.Payloads.Outgoing;
import dev.herald.deadletter.DeadLetter;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.http.JsonBodies;
import dev.herald.trace.Traces;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what attempts brought, many per transaction (one writer thread takes whatever answered meanwhile):
 * the attempt rows, then each delivery succeeded,
 * rescheduled (the retry schedule or Retry-After), dead-lettered, or kept while its endpoint is disabled
 * (410 Gone, failing longer than disable-after).
 */
final class AttemptRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(AttemptRecorder.class);
    private static final int MOST_AT_ONCE = 500;

    /**
     * A batch's answers in one statement: the attempts' rows (arrays 1-6, an element per attempt), the succeeded
     * deliveries' end (7-8) and their endpoints' failure streaks ended (9). Before, an insert, two updates and a
     * commit: four round trips per batch, now one.
     */
    private static final String RECORD_ANSWERS = """
            WITH attempt AS (
                INSERT INTO webhook_attempts (delivery_id, request_headers, response_status, response_excerpt,
                                              duration_ms, error)
                SELECT a.id, CAST(a.headers AS jsonb), a.status, a.excerpt, a.took, a.error
                  FROM unnest(?, ?, ?, ?, ?, ?) AS a(id, headers, status, excerpt, took, error)),
            delivered AS (
                UPDATE webhook_deliveries d
                   SET status = 'succeeded', finished_at = now(), claimed_until = NULL, claimed_by = NULL,
                       last_status = answer.status, last_error = NULL
                  FROM unnest(?, ?) AS answer(id, status)
                 WHERE d.id = answer.id)
            UPDATE webhook_endpoints SET failing_since = NULL
             WHERE id = ANY (?) AND failing_since IS NOT NULL""";

    /** One answered attempt, waiting to be written. */
    record Attempt(Claimed delivery, Endpoint endpoint, Outgoing outgoing, Outcome outcome, Duration took) {
    }

    private final DataSource dataSource;
    private final RetrySchedule schedule;
    private final Duration disableAfter;
    private final DeadLetterStore deadLetters;
    private final WebhookMetrics metrics;
    private final Consumer<Attempt> written;
    private final BlockingQueue<Attempt> queue = new LinkedBlockingQueue<>();
    // not Camel's pool: it writes answered attempts until the dispatcher stops it, after Camel's stop
    private final Thread writer = new Thread(this::writeWhatComes, "herald-webhook-recorder");

    /** {@code written} is told of each attempt once it is recorded (or could not be). */
    AttemptRecorder(DataSource dataSource, WebhookSettings settings, DeadLetterStore deadLetters,
            WebhookMetrics metrics, Consumer<Attempt> written) {
        this.dataSource = dataSource;
        this.schedule = new RetrySchedule(settings.retrySchedule(), settings.jitter(), settings.maxRetryAfter());
        this.disableAfter = settings.disableAfter();
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.written = written;
        writer.setDaemon(true);
        writer.start();
    }

    void submit(Attempt attempt) {
        queue.add(attempt);
    }

    void stop() {
        writer.interrupt();
    }

    /** Whatever answered while the last batch was written goes in the next one: one transaction for many. */
    private void writeWhatComes() {
        List<Attempt> batch = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException stopping) {
                return;
            }
            queue.drainTo(batch, MOST_AT_ONCE - 1);
            try {
                write(batch);
            } catch (SQLException | RuntimeException e) {
                try (Traces.Logged logged = Traces.logged(batch,
                        attempt -> Traces.traceparentOfEnvelope(attempt.delivery().envelope()))) {
                    LOG.warn("recording {} webhook attempts together failed ({}); recording them one by one",
                            batch.size(), e.toString());
                }
                batch.forEach(this::writeAlone);
            }
            batch.forEach(written);
            batch.clear();
        }
    }

    private void writeAlone(Attempt attempt) {
        try {
            write(List.of(attempt));
        } catch (SQLException | RuntimeException e) {
            try (Traces.Logged logged = traced(attempt)) {
                LOG.error("webhook attempt of delivery {} could not be recorded; its claim expires and it is sent "
                        + "again", attempt.delivery().id(), e);
            }
        }
    }

    private void write(List<Attempt> batch) throws SQLException {
        List<String> results = new ArrayList<>();
        List<DeadLetterStore.Recorded> deadLettered = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            if (batch.stream().allMatch(a -> a.outcome().succeeded())) {
                // the usual batch: one statement, a transaction of its own (no BEGIN and COMMIT round trips)
                recordAnswers(connection, batch);
                batch.forEach(attempt -> results.add("success"));
            } else {
                connection.setAutoCommit(false);
                try {
                    recordAnswers(connection, batch);
                    for (Attempt attempt : batch) {
                        results.add(attempt.outcome().succeeded() ? "success"
                                : failed(connection, attempt, deadLettered));
                    }
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            }
        }
        deadLettered.forEach(DeadLetterStore.Recorded::announce);
        for (int i = 0; i < batch.size(); i++) {
            metrics.attempt(batch.get(i).endpoint().id(), results.get(i), batch.get(i).took());
        }
    }

    /** Every attempt's row and the succeeded deliveries' end, one statement (failures follow one by one). */
    private static void recordAnswers(Connection connection, List<Attempt> batch) throws SQLException {
        List<Attempt> succeeded = batch.stream().filter(a -> a.outcome().succeeded()).toList();
        try (PreparedStatement record = connection.prepareStatement(RECORD_ANSWERS)) {
            record.setArray(1, array(connection, "bigint", batch, a -> a.delivery().id()));
            record.setArray(2, array(connection, "text", batch, a -> headersJson(a.outgoing().headers())));
            record.setArray(3, array(connection, "integer", batch, a -> a.outcome().status()));
            record.setArray(4, array(connection, "text", batch, a -> a.outcome().excerpt()));
            record.setArray(5, array(connection, "bigint", batch, a -> a.took().toMillis()));
            record.setArray(6, array(connection, "text", batch,
                    a -> a.outcome().succeeded() ? null : a.outcome().error()));
            record.setArray(7, array(connection, "bigint", succeeded, a -> a.delivery().id()));
            record.setArray(8, array(connection, "integer", succeeded, a -> a.outcome().status()));
            record.setArray(9, connection.createArrayOf("uuid",
                    succeeded.stream().map(a -> a.endpoint().id()).distinct().toArray()));
            record.executeUpdate();
        }
    }

    /**
     * An attempt's request headers as a JSON object, written straight out with Jackson's generator: through the
     * mapper (a sorted copy, a tree, then its text) it took twice as long (1.0 against 0.45 µs). The order of the
     * names is the request's (jsonb keeps its own anyway).
     */
    static String headersJson(Map<String, String> headers) {
        StringWriter text = new StringWriter(64 * headers.size());
        try (JsonGenerator json = JsonBodies.MAPPER.getFactory().createGenerator(text)) {
            json.writeStartObject();
            for (Map.Entry<String, String> header : headers.entrySet()) {
                json.writeStringField(header.getKey(), header.getValue());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static java.sql.Array array(Connection connection, String type, List<Attempt> attempts,
            Function<Attempt, Object> element) throws SQLException {
        return connection.createArrayOf(type, attempts.stream().map(element).toArray());
    }

    /** Disables the endpoint (keeping the delivery), schedules the next attempt, or dead-letters. */
    private String failed(Connection connection, Attempt attempt, List<DeadLetterStore.Recorded> deadLettered)
            throws SQLException {
        // the lines of a failed attempt (its endpoint disabled) carry its event's trace id
        try (Traces.Logged logged = traced(attempt)) {
            return failed(connection, attempt.delivery(), attempt.endpoint(), attempt.outcome(), deadLettered);
        }
    }

    private static Traces.Logged traced(Attempt attempt) {
        return Traces.logged(Traces.ofEnvelope(attempt.delivery().envelope()));
    }

    private String failed(Connection connection, Claimed delivery, Endpoint endpoint, Outcome outcome,
            List<DeadLetterStore.Recorded> deadLettered) throws SQLException {
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
        // one transaction with the delivery's end: no reader sees a dead letter beside a pending delivery
        DeadLetter letter = DeadLetter.of("webhook", endpoint.url().toString(), delivery.eventId(),
                delivery.eventType(), delivery.aggregateId(), delivery.envelope(),
                new WebhookDeliveryFailed(endpoint.id(), outcome.lastAnswer()), delivery.attempts());
        deadLettered.add(deadLetters.record(connection, letter));
        return "dead";
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
