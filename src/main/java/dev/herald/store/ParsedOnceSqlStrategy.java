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

    private record Parsed(String jdbcSql, List<String> names) {
    }

    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

    @Override
    public String prepareQuery(String query, boolean allowNamedParameters, Exchange exchange) throws SQLException {
        return allowNamedParameters && isPlain(query) ? parse(query).jdbcSql()
                : super.prepareQuery(query, allowNamedParameters, exchange);
    }

    @Override
    public Iterator<?> createPopulateIterator(String query, String preparedQuery, int expectedParams,
            Exchange exchange, Object value) throws SQLException {
        if (value instanceof SqlParameters parameters && isPlain(query)) {
            List<Object> values = new ArrayList<>();
            parse(query).names().forEach(name -> values.add(parameters.get(name)));
            return values.iterator();
        }
        return super.createPopulateIterator(query, preparedQuery, expectedParams, exchange, value);
    }

    private static boolean isPlain(String query) {
        return NamedParameters.plain(query);
    }

    private Parsed parse(String query) {
        return parsed.computeIfAbsent(query, statement -> {
            try {
                return new Parsed(super.prepareQuery(statement, true, null),
                        List.copyOf(NamedParameters.names(statement)));
            } catch (SQLException e) {
                throw new IllegalArgumentException(e);
            }
        });
    }
}
