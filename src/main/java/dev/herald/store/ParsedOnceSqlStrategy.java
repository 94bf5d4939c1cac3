package dev.herald.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;

/**
 * camel-sql's statement preparation, parsed once per statement instead of once per message: camel-sql rewrites
 * {@code :#name} to {@code ?} and looks every parameter up through three maps for each message, and a command's
 * steps run on its lane's one thread, where that time is every batch's. Statements with {@code IN} lists or
 * {@code ${...}} expressions, and bodies that are not Herald's {@link SqlParameters}, go to camel-sql as before.
 */
final class ParsedOnceSqlStrategy extends DefaultSqlPrepareStatementStrategy {

    /** A statement as parsed; {@code plain} false: camel-sql's own preparation (jdbcSql and names unused). */
    private record Parsed(boolean plain, String jdbcSql, List<String> names) {
    }

    private static final int KEPT = 10_000;

    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

    @Override
    public String prepareQuery(String query, boolean allowNamedParameters, Exchange exchange) throws SQLException {
        return allowNamedParameters && parse(query).plain() ? parse(query).jdbcSql()
                : super.prepareQuery(query, allowNamedParameters, exchange);
    }

    @Override
    public Iterator<?> createPopulateIterator(String query, String preparedQuery, int expectedParams,
            Exchange exchange, Object value) throws SQLException {
        if (value instanceof SqlParameters parameters) {
            Parsed statement = parse(query);
            if (statement.plain()) {
                List<Object> values = new ArrayList<>(statement.names().size());
                statement.names().forEach(name -> values.add(parameters.get(name)));
                return values.iterator();
            }
        }
        return super.createPopulateIterator(query, preparedQuery, expectedParams, exchange, value);
    }

    private Parsed parse(String query) {
        // looked at once per statement: the regex scans of its text per message were a visible part of a
        // projection's per-event cost (docs/performance.md "Projections"); statements a message supplies (camel-sql's
        // CamelSqlQuery header) are not kept beyond a bound
        Parsed known = parsed.get(query);
        if (known != null) {
            return known;
        }
        Parsed statement;
        if (!NamedParameters.plain(query)) {
            statement = new Parsed(false, null, List.of());
        } else {
            try {
                statement = new Parsed(true, super.prepareQuery(query, true, null),
                        List.copyOf(NamedParameters.names(query)));
            } catch (SQLException e) {
                throw new IllegalArgumentException(e);
            }
        }
        if (parsed.size() < KEPT) {
            parsed.putIfAbsent(query, statement);
        }
        return statement;
    }
}
