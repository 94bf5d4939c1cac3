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
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The saga tables (V11__sagas.sql) as the runner uses them. A saga costs one transaction to claim (its first due call
 * begun in it) and one per call made (the call's outcome, the saga's next state and, when the saga goes on at once,
 * its next call begun, still held by the same worker): docs/sagas.md, "Cost per saga".
 */
final class SagaStore {

    /**
     * Claims of one saga type wait for each other, so each one's count of sagas held sees the others': the type's
     * limit holds across hub instances.
     */
    private static final String CLAIMS_OF_TYPE = """
            SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.saga_claims.' || ?))""";

    /**
     * The saga whose call is due longest, if fewer than the type's limit are held (a call in flight: claimed, lease
     * not over). Held, it is due again only when its lease ends (its holder died), so the sagas held are among the
     * few not due yet (sagas_due finds them without reading the queue).
     */
    private static final String CLAIM = """
            UPDATE sagas SET claimed_by = ?, claimed_until = now() + make_interval(secs => ?),
                   next_attempt_at = now() + make_interval(secs => ?)
             WHERE saga_id = (SELECT saga_id FROM sagas
                               WHERE saga_type = ? AND status IN ('running', 'compensating')
                                 AND next_attempt_at <= now()
                                 AND (claimed_until IS NULL OR claimed_until < now())
                                 AND (SELECT count(*) FROM sagas held
                                       WHERE held.saga_type = ? AND held.status IN ('running', 'compensating')
                                         AND held.next_attempt_at > now() AND held.claimed_until > now()) < ?
                               ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING saga_id, correlation_id, status, reason, CAST(data AS text), current_step, start_event_id,
                      (SELECT traceparent FROM events WHERE event_id = start_event_id)""";

    /** This instance restarted: what it held when it stopped is free, and due, again at once, not after the lease. */
    private static final String RELEASE_CLAIMS_OF = """
            UPDATE sagas SET claimed_by = NULL, claimed_until = NULL, next_attempt_at = now()
             WHERE saga_type = ? AND claimed_by = ?""";

    private static final String ACTIVE_SINCE_NOW = """
            INSERT INTO saga_types (saga_type) VALUES (?) ON CONFLICT (saga_type) DO NOTHING""";

    /**
     * The call's row (created at its first attempt, so an API reader sees it pending while it runs), and whether the
     * step's action timed out (for a compensation: it never answered, so its response's ids are unknown).
     */
    private static final String BEGIN_CALL = """
            INSERT INTO saga_steps (saga_id, step, phase, position) VALUES (?, ?, ?, ?)
            ON CONFLICT (saga_id, step, phase) DO UPDATE SET position = EXCLUDED.position
            RETURNING attempts, started_at,
                      (SELECT a.outcome = 'timed_out' FROM saga_steps a
                        WHERE a.saga_id = ? AND a.step = ? AND a.phase = 'action')""";

    /**
     * A decision: the call's outcome and the saga's next state, in one statement. The saga is then due after
     * {@code retryIn} and released, or, going on at once, still held (lease renewed, due again only if it ends).
     */
    private static final String RECORD = """
            WITH call AS (
                UPDATE saga_steps SET outcome = ?, attempts = attempts + 1, last_status = ?, last_error = ?,
                       response = CAST(? AS jsonb), finished_at = CASE WHEN ? THEN now() END
                 WHERE saga_id = ? AND step = ? AND phase = ?)
            UPDATE sagas SET status = ?, reason = ?, data = CAST(? AS jsonb), current_step = ?,
                   next_attempt_at = now() + make_interval(secs => ?), last_error = ?,
                   claimed_by = CASE WHEN ? THEN claimed_by END,
                   claimed_until = CASE WHEN ? THEN now() + make_interval(secs => ?) END,
                   updated_at = now(), ended_at = CASE WHEN ? THEN now() END
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

        /** The saga as {@code decision} leaves it. */
        Saga after(Decision decision) {
            return new Saga(id, correlationId, decision.sagaStatus(), decision.reason(), decision.data(),
                    decision.currentStep(), startEventId, traceparent);
        }
    }

    /**
     * A saga this worker holds, with the call due begun: the call's row before this attempt and, for a compensation,
     * whether the step's action timed out (its response's ids are unknown: the compensation goes by its key).
     */
    record Turn(Saga saga, Call call, Attempt attempt, boolean actionUnanswered) {
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

    /**
     * Claims the saga of this type whose call is due longest, unless {@code maxRunning} of them are held already (by
     * any instance), and begins that call ({@code due} says which), in one transaction.
     */
    Optional<Turn> claim(String type, int maxRunning, String instance, Duration lease, Function<Saga, Call> due)
            throws SQLException {
        return inTransaction(dataSource, connection -> {
            try (PreparedStatement lock = bound(connection.prepareStatement(CLAIMS_OF_TYPE), type)) {
                lock.execute();
            }
            Saga saga;
            try (PreparedStatement claim = bound(connection.prepareStatement(CLAIM), instance, seconds(lease),
                    seconds(lease), type, type, maxRunning)) {
                try (ResultSet row = claim.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    saga = new Saga(row.getObject(1, UUID.class), row.getString(2), row.getString(3),
                            row.getString(4), (ObjectNode) json(row.getString(5)), row.getInt(6),
                            row.getObject(7, UUID.class), row.getString(8));
                }
            }
            return Optional.of(begin(connection, saga, due.apply(saga)));
        });
    }

    private static Turn begin(Connection transaction, Saga saga, Call call) throws SQLException {
        try (PreparedStatement begin = bound(transaction.prepareStatement(BEGIN_CALL), saga.id(), call.step(),
                call.phase(), call.position(), saga.id(), call.step())) {
            try (ResultSet row = begin.executeQuery()) {
                row.next();
                return new Turn(saga, call, new Attempt(row.getInt(1), row.getObject(2, OffsetDateTime.class)),
                        Call.COMPENSATION.equals(call.phase()) && row.getBoolean(3));
            }
        }
    }

    /**
     * A decision, in one transaction: the call's outcome and the saga's next state. With {@code next} (the saga goes
     * on at once), the saga stays held and its next call ({@code next} says which) is begun in the same transaction,
     * and returned; else the claim ends with it.
     */
    Optional<Turn> record(String type, Saga saga, Call call, Decision decision, Function<Saga, Call> next,
            Duration lease) throws SQLException {
        boolean holdOn = next != null && !decision.sagaEnded();
        Recorded recorded = inTransaction(dataSource, connection -> {
            try (PreparedStatement record = bound(connection.prepareStatement(RECORD),
                    decision.callOutcome(), decision.status(), decision.error(),
                    decision.response() == null ? null : decision.response().toString(), decision.callEnded(),
                    saga.id(), call.step(), call.phase(),
                    decision.sagaStatus(), decision.reason(), decision.data().toString(), decision.currentStep(),
                    seconds(holdOn ? lease : decision.retryIn()), decision.error(), holdOn, holdOn, seconds(lease),
                    decision.sagaEnded(), saga.id())) {
                record.executeUpdate();
            }
            if ("failed".equals(decision.sagaStatus())) {
                return new Recorded(deadLetter(connection, type, saga, call, decision), null);
            }
            if (!holdOn) {
                return new Recorded(null, null);
            }
            Saga after = saga.after(decision);
            return new Recorded(null, begin(connection, after, next.apply(after)));
        });
        if (recorded.deadLetter() != null) {
            recorded.deadLetter().announce();
        }
        return Optional.ofNullable(recorded.next());
    }

    /** What a decision's transaction left: the dead letter of a failed saga, or the saga's next call, begun. */
    private record Recorded(DeadLetterStore.Recorded deadLetter, Turn next) {
    }

    /** {@code statement} with {@code values} bound in order (a null: SQL NULL, typed by where it stands). */
    private static PreparedStatement bound(PreparedStatement statement, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            statement.setObject(i + 1, values[i]);
        }
        return statement;
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
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
