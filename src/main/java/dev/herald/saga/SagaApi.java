package dev.herald.saga;

import dev.herald.deadletter.DeadLetterStore;
import dev.herald.http.JsonBodies;
import dev.herald.http.Problem;
import dev.herald.http.SqlProblems;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.apache.camel.Exchange;

/**
 * POST /api/sagas/{id}/retry: a failed saga (a compensation or a final command that could not be done) goes back to
 * the call it failed at, and its dead letter (stage {@code saga}) is resolved as retried, in one transaction. A bean
 * step: the dead-letter store's resolution and the saga's reset must share that transaction, which a {@code sql:}
 * step cannot give the store.
 */
public final class SagaApi {

    private static final String FAILED = """
            SELECT saga_type, start_event_id, status FROM sagas WHERE CAST(saga_id AS text) = ? FOR UPDATE""";

    private static final String OPEN_DEAD_LETTER = """
            SELECT id FROM dead_letters WHERE stage = ? AND destination = ? AND event_id = ? AND resolution IS NULL
             ORDER BY id DESC LIMIT 1""";

    private final SagaRunners runners;
    private final int retryAfterSeconds;

    public SagaApi(SagaRunners runners, int retryAfterSeconds) {
        this.runners = runners;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public void retry(Exchange exchange) {
        String id = exchange.getIn().getHeader("id", String.class);
        try {
            SagaStore.inTransaction(runners.dataSource(), connection -> {
                String type;
                UUID startEventId;
                try (PreparedStatement saga = connection.prepareStatement(FAILED)) {
                    saga.setString(1, id);
                    try (ResultSet row = saga.executeQuery()) {
                        if (!row.next()) {
                            throw Problem.notFound("saga " + id + " does not exist");
                        }
                        if (!"failed".equals(row.getString(3))) {
                            throw Problem.conflict("not-failed", "saga " + id + " is " + row.getString(3)
                                    + ", not failed");
                        }
                        type = row.getString(1);
                        startEventId = row.getObject(2, UUID.class);
                    }
                }
                Long deadLetter = openDeadLetter(connection, type, startEventId);
                if (deadLetter != null) {
                    runners.deadLetters().resolve(connection, deadLetter, DeadLetterStore.Resolution.RETRIED);
                } else {
                    SagaStore.resume(connection, type, startEventId);
                }
                return null;
            });
        } catch (SQLException e) {
            throw SqlProblems.of(e, retryAfterSeconds);
        }
        JsonBodies.answer(exchange, 202, JsonBodies.MAPPER.createObjectNode().put("saga_id", id)
                .put("status", "retrying"));
    }

    private static Long openDeadLetter(Connection connection, String type, UUID startEventId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(OPEN_DEAD_LETTER)) {
            select.setString(1, SagaRunners.STAGE);
            select.setString(2, type);
            select.setObject(3, startEventId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getLong(1) : null;
            }
        }
    }
}
