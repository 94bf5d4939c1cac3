package dev.herald.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;

/**
 * SQL written by integration engineers, with {@code :name} parameters, run on a given connection.
 * Rows come back as JSON objects, as {@link SqlRows} reads them.
 */
public final class NamedSql {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String text;
    private final String jdbcSql;
    private final List<String> parameterNames;

    public NamedSql(String text) {
        this.text = text.strip();
        ParsedSql parsed = NamedParameterUtils.parseSqlStatement(this.text);
        List<String> names = new ArrayList<>();
        // substituteNamedParameters asks the source once per occurrence, in order: that gives the JDBC order
        this.jdbcSql = NamedParameterUtils.substituteNamedParameters(parsed, new MapSqlParameterSource() {
            @Override
            public boolean hasValue(String paramName) {
                return true;
            }

            @Override
            public Object getValue(String paramName) {
                names.add(paramName);
                return null;
            }
        });
        this.parameterNames = List.copyOf(names);
    }

    public List<String> parameterNames() {
        return parameterNames;
    }

    public ArrayNode query(Connection connection, Map<String, ?> parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(jdbcSql)) {
            int index = 1;
            for (String name : parameterNames) {
                bind(statement, index++, parameters.get(name));
            }
            boolean hasRows = statement.execute();
            while (!hasRows && statement.getUpdateCount() != -1) {
                hasRows = statement.getMoreResults();
            }
            ArrayNode rows = JSON.createArrayNode();
            if (hasRows) {
                try (ResultSet resultSet = statement.getResultSet()) {
                    while (resultSet.next()) {
                        rows.add(toJson(resultSet));
                    }
                }
            }
            return rows;
        }
    }

    private static void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.NULL);
        } else if (value instanceof JsonNode node) {
            statement.setString(index, node.isTextual() ? node.textValue() : node.toString());
        } else {
            statement.setObject(index, value);
        }
    }

    private static JsonNode toJson(ResultSet resultSet) throws SQLException {
        ResultSetMetaData meta = resultSet.getMetaData();
        Map<String, Object> columns = new LinkedHashMap<>();
        for (int column = 1; column <= meta.getColumnCount(); column++) {
            columns.put(meta.getColumnLabel(column), resultSet.getObject(column));
        }
        return SqlRows.row(columns);
    }

    @Override
    public String toString() {
        return text;
    }
}
