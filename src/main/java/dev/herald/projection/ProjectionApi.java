package dev.herald.projection;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * The operator API of routes/projections.camel.yaml: each declared projection's status ({@code live},
 * {@code rebuilding}, {@code failed}), position, lag and last error; retry of the event a failed one stopped at;
 * rebuild.
 */
public final class ProjectionApi {

    private final Projectors projectors;
    private final int retryAfterSeconds;

    public ProjectionApi(Projectors projectors, int retryAfterSeconds) {
        this.projectors = projectors;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** GET /api/projections */
    public void list(Exchange exchange) {
        ObjectNode page = JsonBodies.MAPPER.createObjectNode();
        ArrayNode items = page.putArray("items");
        read(connection -> {
            for (Projector projector : projectors.all()) {
                items.add(view(connection, projector));
            }
            return null;
        });
        JsonBodies.answer(exchange, 200, page);
    }

    /** GET /api/projections/{name} */
    public void get(Exchange exchange) {
        Projector projector = projectors.named(exchange.getIn().getHeader("name", String.class));
        JsonBodies.answer(exchange, 200, read(connection -> view(connection, projector)));
    }

    /**
     * POST /api/projections/{name}/retry: a failed projection tries the event it stopped at again and goes on; its
     * dead letter is resolved as retried. 409 unless it is failed.
     */
    public void retry(Exchange exchange) {
        Projector projector = projectors.named(exchange.getIn().getHeader("name", String.class));
        JsonBodies.answer(exchange, 202, transaction(connection -> {
            UUID stoppedAt = stoppedAt(connection, projector.name());
            if (stoppedAt == null) {
                throw Problem.conflict("not-failed", "projection " + projector.name() + " is not stopped at an event");
            }
            Long deadLetter = openDeadLetter(connection, projector.name(), stoppedAt);
            if (deadLetter != null) {
                projectors.deadLetters().resolve(connection, deadLetter, DeadLetterStore.Resolution.RETRIED);
            } else {
                Positions.resume(connection, projector.name(), stoppedAt);
            }
            projector.wake();
            return view(connection, projector);
        }));
    }

    /**
     * POST /api/projections/{name}/rebuild: 202 at once; the projection empties its tables and replays the whole
     * store in one transaction (readers see the old read model until it commits). 409 for a projection that names
     * no tables.
     */
    public void rebuild(Exchange exchange) {
        Projector projector = projectors.named(exchange.getIn().getHeader("name", String.class));
        if (!projector.rebuildable()) {
            throw Problem.conflict("not-rebuildable", "projection " + projector.name() + " names no tables to "
                    + "rebuild (option tables= of herald:projection)");
        }
        projector.requestRebuild();
        JsonBodies.answer(exchange, 202, read(connection -> view(connection, projector)));
    }

    private ObjectNode view(Connection connection, Projector projector) throws SQLException {
        ObjectNode view = JsonBodies.MAPPER.createObjectNode();
        view.put("name", projector.name());
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT status, position_seq, CAST(position_tx AS text), applied, last_error, failed_event_id,
                       updated_at FROM projections WHERE name = ?""")) {
            select.setString(1, projector.name());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw Problem.notFound("projection " + projector.name() + " has not started");
                }
                String status = row.getString(1);
                view.put("status", "rebuilding".equals(projector.status()) ? "rebuilding" : status);
                view.put("position", row.getLong(2));
                view.put("position_tx_id", row.getString(3));
                view.put("lag", Positions.lag(connection, projector.name(), projector.types()));
                view.put("applied", row.getLong(4));
                String error = row.getString(5) != null ? row.getString(5) : projector.rebuildError();
                view.put("last_error", error);
                view.put("failed_event_id", row.getString(6));
                view.put("updated_at", row.getObject(7, java.time.OffsetDateTime.class).toString());
            }
        }
        ArrayNode types = view.putArray("types");
        projector.types().forEach(types::add);
        view.put("rebuildable", projector.rebuildable());
        return view;
    }

    private static UUID stoppedAt(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT failed_event_id FROM projections WHERE name = ? AND status = 'failed' FOR UPDATE")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getObject(1, UUID.class) : null;
            }
        }
    }

    private static Long openDeadLetter(Connection connection, String name, UUID eventId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT max(id) FROM dead_letters
                 WHERE stage = ? AND destination = ? AND event_id = ? AND resolution IS NULL""")) {
            select.setString(1, Projectors.STAGE);
            select.setString(2, name);
            select.setObject(3, eventId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                long id = row.getLong(1);
                return row.wasNull() ? null : id;
            }
        }
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T read(Work<T> work) {
        try (Connection connection = projectors.dataSource().getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw SqlProblems.of(e, retryAfterSeconds);
        }
    }

    private <T> T transaction(Work<T> work) {
        try (Connection connection = projectors.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw SqlProblems.of(e, retryAfterSeconds);
        }
    }
}
