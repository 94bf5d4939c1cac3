package dev.herald.saga;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.deadletter.DeadLetter;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.http.JsonBodies;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The saga tables (V11__sagas.sql) as the runner uses them: claim a saga with a call due, note a call's attempt,
 * write a decision. Each method is one transaction.
 */
final class SagaStore {

    private static final String CLAIM = """
            UPDATE sagas SET claimed_by = ?, claimed_until = now() + make_interval(secs => ?)
             WHERE saga_id = (SELECT saga_id FROM sagas
                               WHERE saga_type = ? AND status IN ('running', 'compensating')
                                 AND next_attempt_at <= now()
                                 AND (claimed_until IS NULL OR claimed_until < now())
                               ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING saga_id, correlation_id, status, reason, CAST(data AS text), current_step, start_event_id,
                      (SELECT traceparent FROM events WHERE event_id = start_event_id)""";

    private static final String RELEASE_CLAIMS_OF = """
            UPDATE sagas SET claimed_by = NULL, claimed_until = NULL WHERE saga_type = ? AND claimed_by = ?""";

    private static final String ACTIVE_SINCE_NOW = """
            INSERT INTO saga_types (saga_type) VALUES (?) ON CONFLICT (saga_type) DO NOTHING""";

    private static final String BEGIN_CALL = """
            INSERT INTO saga_steps (saga_id, step, phase, position) VALUES (?, ?, ?, ?)
            ON CONFLICT (saga_id, step, phase) DO UPDATE SET position = EXCLUDED.position
            RETURNING attempts, started_at""";

    private static final String ACTION_OUTCOME = """
            SELECT outcome FROM saga_steps WHERE saga_id = ? AND step = ? AND phase = 'action'""";

    private static final String RECORD_CALL = """
            UPDATE saga_steps SET outcome = ?, attempts = attempts + 1, last_status = ?, last_error = ?,
                   response = CAST(? AS jsonb), finished_at = CASE WHEN ? THEN now() END
             WHERE saga_id = ? AND step = ? AND phase = ?""";

    private static final String RECORD_SAGA = """
            UPDATE sagas SET status = ?, reason = ?, data = CAST(? AS jsonb), current_step = ?,
                   next_attempt_at = now() + make_interval(secs => ?), last_error = ?,
                   claimed_by = NULL, claimed_until = NULL, updated_at = now(),
                   ended_at = CASE WHEN ? THEN now() END
             WHERE saga_id = ?""";

    private static final String STARTING_EVENT = """
            SELECT event_type, aggregate_id, envelope FROM events WHERE event_id = ?""";

    /**
     * An operator's retry of a failed saga: back to where it failed (running when its completion command failed,
     * else compensating: a reason is set), the failed call's deadline counted afresh.
     */
    private static final String RESUME = """
            UPDATE sagas SET status = CASE WHEN reason IS NULL THEN 'running' ELSE 'compensating' END,
                   next_attempt_at = now(), ended_at = NULL, updated_at = now()
             WHERE saga_type = ? AND start_event_id = ? AND status = 'failed'
            RETURNING saga_id""";

    private static final String RESUME_CALLS = """
            UPDATE saga_steps SET outcome = 'pending', started_at = now(), finished_at = NULL
             WHERE saga_id = ? AND phase <> 'action' AND outcome IN ('declined', 'timed_out')""";

    /** A claimed saga, as its row says; {@code traceparent}: its starting event's trace (null: none). */
    record Saga(UUID id, String correlationId, String status, String reason, ObjectNode data, int currentStep,
            UUID startEventId, String traceparent) {

        boolean compensating() {
            return "compensating".equals(status);
        }
    }

    /** The call's row before this attempt: attempts so far, and when its first attempt began. */
    record Attempt(int attempts, OffsetDateTime startedAt) {
    }

    /**
     * What the runner decided after a call: the call's outcome (final or {@code pending} while it is retried) and
     * the saga's next state; {@code retryIn} is how long until the next call is due.
     */
    record Decision(String callOutcome, Integer status, String error, JsonNode response, String sagaStatus,
            String reason, ObjectNode data, int currentStep, Duration retryIn) {

        boolean callEnded() {
            return !"pending".equals(callOutcome);
        }

        boolean sagaEnded() {
            return !"running".equals(sagaStatus) && !"compensating".equals(sagaStatus);
        }
    }

    private final DataSource dataSource;
    private final DeadLetterStore deadLetters;

    SagaStore(DataSource dataSource, DeadLetterStore deadLetters) {
        this.dataSource = dataSource;
        this.deadLetters = deadLetters;
    }

    /** The saga type runs from now on: starting events before its first active start are not its business. */
    void activate(String type) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(ACTIVE_SINCE_NOW)) {
            insert.setString(1, type);
            insert.executeUpdate();
        }
    }

    /** This instance restarted: what it held when it stopped is free again at once, not after the lease. */
    void releaseClaimsOf(String type, String instance) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement release = connection.prepareStatement(RELEASE_CLAIMS_OF)) {
            release.setString(1, type);
            release.setString(2, instance);
            release.executeUpdate();
        }
    }

    Optional<Saga> claim(String type, String instance, Duration lease) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            claim.setString(1, instance);
            claim.setDouble(2, lease.toMillis() / 1000.0);
            claim.setString(3, type);
            try (ResultSet row = claim.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Saga(row.getObject(1, UUID.class), row.getString(2), row.getString(3),
                        row.getString(4), (ObjectNode) json(row.getString(5)), row.getInt(6),
                        row.getObject(7, UUID.class), row.getString(8)));
            }
        }
    }

    /** The call's row (created at its first attempt, so an API reader sees it pending while it runs). */
    Attempt begin(Saga saga, Call call) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement begin = connection.prepareStatement(BEGIN_CALL)) {
            begin.setObject(1, saga.id());
            begin.setString(2, call.step());
            begin.setString(3, call.phase());
            begin.setInt(4, call.position());
            try (ResultSet row = begin.executeQuery()) {
                row.next();
                return new Attempt(row.getInt(1), row.getObject(2, OffsetDateTime.class));
            }
        }
    }

    /** Whether the step's action timed out: it never answered, so its response's ids are unknown. */
    boolean actionTimedOut(Saga saga, String step) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement outcome = connection.prepareStatement(ACTION_OUTCOME)) {
            outcome.setObject(1, saga.id());
            outcome.setString(2, step);
            try (ResultSet row = outcome.executeQuery()) {
                return row.next() && "timed_out".equals(row.getString(1));
            }
        }
    }

    /** The call's outcome and the saga's next state, in one transaction; the claim ends with it. */
    void record(String type, Saga saga, Call call, Decision decision) throws SQLException {
        DeadLetterStore.Recorded deadLetter = inTransaction(dataSource, connection -> {
            try (PreparedStatement step = connection.prepareStatement(RECORD_CALL)) {
                step.setString(1, decision.callOutcome());
                if (decision.status() == null) {
                    step.setNull(2, Types.INTEGER);
                } else {
                    step.setInt(2, decision.status());
                }
                step.setString(3, decision.error());
                step.setString(4, decision.response() == null ? null : decision.response().toString());
                step.setBoolean(5, decision.callEnded());
                step.setObject(6, saga.id());
                step.setString(7, call.step());
                step.setString(8, call.phase());
                step.executeUpdate();
            }
            try (PreparedStatement next = connection.prepareStatement(RECORD_SAGA)) {
                next.setString(1, decision.sagaStatus());
                next.setString(2, decision.reason());
                next.setString(3, decision.data().toString());
                next.setInt(4, decision.currentStep());
                next.setDouble(5, decision.retryIn().toMillis() / 1000.0);
                next.setString(6, decision.error());
                next.setBoolean(7, decision.sagaEnded());
                next.setObject(8, saga.id());
                next.executeUpdate();
            }
            return "failed".equals(decision.sagaStatus()) ? deadLetter(connection, type, saga, call, decision) : null;
        });
        if (deadLetter != null) {
            deadLetter.announce();
        }
    }

    /** Work in one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection transaction) throws SQLException;
    }

    /** {@code work} in a transaction of its own: committed if it returns, rolled back if it throws. */
    static <T> T inTransaction(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /**
     * A failed saga is a dead letter of stage {@code saga} (destination its type, event its starting event), in the
     * transaction that fails it: an operator retries it (POST /api/sagas/{id}/retry or the dead-letter API).
     */
    private DeadLetterStore.Recorded deadLetter(Connection connection, String type, Saga saga, Call call,
            Decision decision) throws SQLException {
        try (PreparedStatement event = connection.prepareStatement(STARTING_EVENT)) {
            event.setObject(1, saga.startEventId());
            try (ResultSet row = event.executeQuery()) {
                row.next();
                return deadLetters.record(connection, new DeadLetter(SagaRunners.STAGE, type, saga.startEventId(),
                        row.getString(1), row.getString(2), row.getString(3), "saga " + saga.id() + ": "
                        + call.step() + " " + call.phase() + " failed: " + decision.error(), "saga-call-failed",
                        1));
            }
        }
    }

    /** Back to the call it failed at, in the operator's transaction; false when no such saga has failed. */
    static boolean resume(Connection transaction, String type, UUID startEventId) throws SQLException {
        try (PreparedStatement resume = transaction.prepareStatement(RESUME)) {
            resume.setString(1, type);
            resume.setObject(2, startEventId);
            try (ResultSet row = resume.executeQuery()) {
                if (!row.next()) {
                    return false;
                }
                try (PreparedStatement calls = transaction.prepareStatement(RESUME_CALLS)) {
                    calls.setObject(1, row.getObject(1, UUID.class));
                    calls.executeUpdate();
                }
                return true;
            }
        }
    }

    static JsonNode json(String text) {
        try {
            return JsonBodies.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }
}
