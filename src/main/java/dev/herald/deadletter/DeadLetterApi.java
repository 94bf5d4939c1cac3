package dev.herald.deadletter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.http.JsonBodies;
import dev.herald.http.Problem;
import dev.herald.store.NamedSql;
import dev.herald.http.SqlProblems;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The operator API of routes/dead-letters.camel.yaml: list and read dead letters (filter by stage, type,
 * aggregate, time, status; paged by id), retry one or every match, discard one. Nothing is erased: a
 * resolution and its time are recorded on the dead letter, and a retried event keeps its event id.
 */
public final class DeadLetterApi {

    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1_000;
    private static final String RECORD = """
            jsonb_build_object('id', id, 'stage', stage, 'destination', destination, 'eventId', event_id,
                'eventType', event_type, 'aggregateId', aggregate_id, 'originalEvent', original_event,
                'failureReason', failure_reason, 'errorClass', error_class, 'failureCount', failure_count,
                'failedAt', failed_at, 'nextRetry', next_retry, 'resolution', resolution,
                'resolvedAt', resolved_at) AS data""";
    /** Every filter is optional: a missing query parameter binds NULL and matches everything. */
    private static final String FILTER = """
            (CAST(:stage AS text) IS NULL OR stage = CAST(:stage AS text))
            AND (CAST(:type AS text) IS NULL OR event_type = CAST(:type AS text))
            AND (CAST(:aggregate AS text) IS NULL OR aggregate_id = CAST(:aggregate AS text))
            AND (CAST(:since AS timestamptz) IS NULL OR failed_at >= CAST(:since AS timestamptz))
            AND (CAST(:until AS timestamptz) IS NULL OR failed_at < CAST(:until AS timestamptz))""";
    private static final List<String> FILTERS = List.of("stage", "type", "aggregate", "since", "until");
    private static final List<String> STATUSES = List.of("open", "retried", "discarded");

    private static final NamedSql LIST = new NamedSql("SELECT " + RECORD + " FROM dead_letters WHERE " + FILTER + """
             AND (CAST(:status AS text) IS NULL
                  OR (CAST(:status AS text) = 'open' AND resolution IS NULL) OR resolution = CAST(:status AS text))
             AND id > CAST(:after AS bigint)
            ORDER BY id LIMIT CAST(:limit AS int)""");
    private static final NamedSql ONE = new NamedSql(
            "SELECT " + RECORD + " FROM dead_letters WHERE id = CAST(:id AS bigint)");
    private static final NamedSql OPEN_MATCHES = new NamedSql(
            "SELECT id FROM dead_letters WHERE resolution IS NULL AND " + FILTER + " ORDER BY id FOR UPDATE");

    private final DataSource dataSource;
    private final DeadLetterStore store;
    private final int retryAfterSeconds;

    public DeadLetterApi(DataSource dataSource, DeadLetterStore store, int retryAfterSeconds) {
        this.dataSource = dataSource;
        this.store = store;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** GET /api/dead-letters?stage&type&aggregate&since&until&status=open|retried|discarded&after&limit */
    public void list(Exchange exchange) {
        Message in = exchange.getIn();
        Map<String, Object> parameters = filters(in);
        String status = in.getHeader("status", String.class);
        if (status != null && !STATUSES.contains(status)) {
            throw Problem.badRequest("invalid-value", "status must be one of " + STATUSES);
        }
        parameters.put("status", status);
        parameters.put("after", String.valueOf(number(in, "after", 0)));
        int limit = (int) Math.max(1, Math.min(number(in, "limit", DEFAULT_PAGE), MAX_PAGE));
        parameters.put("limit", String.valueOf(limit));
        ArrayNode rows = read(LIST, parameters);
        ObjectNode page = JsonBodies.MAPPER.createObjectNode();
        page.set("items", rows);
        if (rows.size() == limit) {
            page.put("next", "after=" + rows.get(rows.size() - 1).get("id").asLong());
        }
        JsonBodies.answer(exchange, 200, page);
    }

    /** GET /api/dead-letters/{id} */
    public void get(Exchange exchange) {
        JsonBodies.answer(exchange, 200, one(exchange));
    }

    /** POST /api/dead-letters/{id}/retry: back to its stage, same event id; 409 if already resolved. */
    public void retry(Exchange exchange) throws SQLException {
        long id = id(exchange);
        transaction(connection -> store.resolve(connection, id, DeadLetterStore.Resolution.RETRIED));
        JsonBodies.answer(exchange, 202, one(exchange));
    }

    /** DELETE /api/dead-letters/{id}: given up for good, recorded; a strict-order aggregate goes on. */
    public void discard(Exchange exchange) throws SQLException {
        long id = id(exchange);
        transaction(connection -> store.resolve(connection, id, DeadLetterStore.Resolution.DISCARDED));
        JsonBodies.answer(exchange, 200, one(exchange));
    }

    /** POST /api/dead-letters/retry?stage&type&aggregate&since&until: every open match, in one transaction. */
    public void retryMatching(Exchange exchange) throws SQLException {
        Map<String, Object> parameters = filters(exchange.getIn());
        int[] retried = {0};
        transaction(connection -> {
            for (JsonNode row : OPEN_MATCHES.query(connection, parameters)) {
                store.resolve(connection, row.get("id").asLong(), DeadLetterStore.Resolution.RETRIED);
                retried[0]++;
            }
        });
        ObjectNode body = JsonBodies.MAPPER.createObjectNode();
        body.put("retried", retried[0]);
        JsonBodies.answer(exchange, 202, body);
    }

    private static long number(Message in, String name, long absent) {
        String value = in.getHeader(name, String.class);
        try {
            return value == null ? absent : Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw Problem.badRequest("invalid-value", name + " must be a whole number, not " + value);
        }
    }

    private static Map<String, Object> filters(Message in) {
        Map<String, Object> parameters = new HashMap<>();
        FILTERS.forEach(name -> parameters.put(name, in.getHeader(name, String.class)));
        return parameters;
    }

    private JsonNode one(Exchange exchange) {
        ArrayNode rows = read(ONE, Map.of("id", String.valueOf(id(exchange))));
        if (rows.isEmpty()) {
            throw notFound(exchange);
        }
        return rows.get(0);
    }

    private static long id(Exchange exchange) {
        String id = exchange.getIn().getHeader("id", String.class);
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw notFound(exchange);
        }
    }

    private static Problem notFound(Exchange exchange) {
        return Problem.notFound(exchange.getIn().getHeader(Exchange.HTTP_URI, String.class) + " does not exist");
    }

    private ArrayNode read(NamedSql sql, Map<String, ?> parameters) {
        try (Connection connection = dataSource.getConnection()) {
            return sql.query(connection, parameters);
        } catch (SQLException e) {
            throw SqlProblems.of(e, retryAfterSeconds);
        }
    }

    private interface Work {
        void run(Connection connection) throws SQLException;
    }

    private void transaction(Work work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                work.run(connection);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw SqlProblems.of(e, retryAfterSeconds);
        }
    }
}
