package dev.herald.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.TypeConverter;
import org.apache.camel.component.sql.SqlEndpoint;
import org.apache.camel.support.TypeConverterSupport;

/**
 * camel-sql as Herald's routes use it, on PostgreSQL. Unless told how many parameters a statement has, camel-sql
 * asks the driver ({@code getParameterMetaData}), and pgjdbc answers with a round trip to the server for every
 * statement run; Spring does the same for each NULL it binds. Both are told once, at start, instead; and each
 * statement is parsed once ({@link ParsedOnceSqlStrategy}).
 */
public final class SqlSteps {

    private SqlSteps() {
    }

    public static void countParametersOnce(CamelContext camel) {
        // a NULL binds as an untyped NULL, which PostgreSQL types from the statement (as Herald always did)
        System.setProperty("spring.jdbc.getParameterType.ignore", "true");
        ParsedOnceSqlStrategy statements = new ParsedOnceSqlStrategy();
        camel.getCamelContextExtension().registerEndpointCallback((uri, endpoint) -> {
            if (endpoint instanceof SqlEndpoint sql) {
                int count = namedParameters(sql.getQuery());
                if (sql.getParametersCount() == 0 && count > 0) {
                    sql.setParametersCount(count);
                }
                if (sql.getPrepareStatementStrategy() == null) {
                    sql.setPrepareStatementStrategy(statements);
                }
            }
            return endpoint;
        });
    }

    /**
     * Rows (camel-sql's list of maps, or one map) convert to JSON for the steps that need it, e.g. a jq transform
     * shaping an event. Registered for exactly these types: camel-jackson's own converter, once enabled, is
     * consulted for every conversion Camel cannot otherwise make.
     */
    public static void rowsConvertToJson(CamelContext camel) {
        TypeConverter toJson = new TypeConverterSupport() {
            @Override
            public <T> T convertTo(Class<T> type, Exchange exchange, Object value) {
                try {
                    ArrayNode rows = SqlRows.of(value);
                    return type.cast(value instanceof Map<?, ?> ? rows.get(0) : rows);
                } catch (SQLException e) {
                    throw new IllegalArgumentException(e);
                }
            }
        };
        camel.getTypeConverterRegistry().addTypeConverter(JsonNode.class, List.class, toJson);
        camel.getTypeConverterRegistry().addTypeConverter(JsonNode.class, Map.class, toJson);
    }

    /** How many parameters a statement binds; 0 when it cannot tell (IN lists, external files). */
    static int namedParameters(String query) {
        if (query == null || query.startsWith("classpath:") || query.startsWith("file:")) {
            return 0;
        }
        return Math.max(0, NamedParameters.count(query));
    }
}
