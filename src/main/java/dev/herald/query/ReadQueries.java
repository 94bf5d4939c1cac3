package dev.herald.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.herald.intake.JsonBodies;
import dev.herald.intake.Problem;
import dev.herald.store.NamedSql;
import dev.herald.store.SqlProblems;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The Java side of the {@code query} route template: runs the declared SQL with path and query-string
 * parameters ({@code :id}, {@code :limit}) and answers JSON, one row ({@code herald.single}) or a list.
 */
public final class ReadQueries {

    private final DataSource dataSource;
    private final int retryAfterSeconds;
    private final Map<String, NamedSql> queries = new ConcurrentHashMap<>();

    public ReadQueries(DataSource dataSource, int retryAfterSeconds) {
        this.dataSource = dataSource;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public void run(Exchange exchange) throws SQLException {
        NamedSql sql = queries.computeIfAbsent(exchange.getFromRouteId(),
                id -> new NamedSql(exchange.getProperty("herald.sql", String.class)));
        boolean single = Boolean.parseBoolean(exchange.getProperty("herald.single", String.class));
        Message in = exchange.getIn();
        Map<String, Object> parameters = new HashMap<>();
        for (String name : sql.parameterNames()) {
            parameters.put(name, in.getHeader(name, String.class));
        }
        ArrayNode rows;
        try (Connection connection = dataSource.getConnection()) {
            connection.setReadOnly(true);
            rows = sql.query(connection, parameters);
        } catch (SQLException e) {
            throw SqlProblems.of(e, retryAfterSeconds);
        }
        if (!single) {
            JsonBodies.answer(exchange, 200, rows);
            return;
        }
        if (rows.isEmpty()) {
            throw Problem.notFound(in.getHeader(Exchange.HTTP_URI, String.class) + " does not exist");
        }
        JsonNode row = rows.get(0);
        Message out = JsonBodies.answer(exchange, 200, row);
        if (row.hasNonNull("version")) {
            out.setHeader("ETag", "\"" + row.get("version").asText() + "\"");
        }
    }
}
