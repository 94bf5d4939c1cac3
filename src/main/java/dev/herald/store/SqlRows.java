package dev.herald.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.temporal.TemporalAccessor;
import java.util.Collection;
import java.util.Map;
import org.postgresql.util.PGobject;

/**
 * Rows as JSON, whoever read them (camel-sql's {@code List<Map>} or a plain result set): a row whose only
 * column is a {@code json}/{@code jsonb} named {@code data} is taken as the whole object, otherwise each column
 * becomes a field; timestamps are RFC 3339 text, numbers keep their precision, JSON columns stay JSON.
 */
public final class SqlRows {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SqlRows() {
    }

    /** What a route's SQL steps left in the body: a list of rows, one row, or JSON already. */
    public static ArrayNode of(Object body) throws SQLException {
        ArrayNode rows = JSON.createArrayNode();
        if (body == null) {
            return rows;
        }
        if (body instanceof JsonNode node) {
            return node.isArray() ? (ArrayNode) node : rows.add(node);
        }
        if (body instanceof Map<?, ?> row) {
            return rows.add(row(row));
        }
        if (body instanceof Collection<?> list) {
            for (Object row : list) {
                if (!(row instanceof Map<?, ?> columns)) {
                    throw new IllegalStateException("a SQL step returned " + row.getClass().getName()
                            + " rows; expected column maps (camel-sql's outputType=SelectList)");
                }
                rows.add(row(columns));
            }
            return rows;
        }
        throw new IllegalStateException("the steps left a " + body.getClass().getName()
                + " in the body; expected the rows of a SQL step");
    }

    static JsonNode row(Map<?, ?> columns) throws SQLException {
        if (columns.size() == 1 && columns.containsKey("data") && isJson(columns.get("data"))) {
            return value(columns.get("data"));
        }
        ObjectNode row = JSON.createObjectNode();
        for (Map.Entry<?, ?> column : columns.entrySet()) {
            row.set(String.valueOf(column.getKey()), value(column.getValue()));
        }
        return row;
    }

    /** A column's value as Java that serializes as its JSON: JSON columns parsed, timestamps as text. */
    static Object javaValue(Object value) throws SQLException {
        if (value instanceof PGobject object && isJson(object)) {
            return readJson(object.getValue());
        }
        if (value instanceof PGobject object) {
            return object.getValue();
        }
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant().toString();
        }
        if (value instanceof TemporalAccessor) {
            return value.toString();
        }
        return value;
    }

    static JsonNode value(Object column) throws SQLException {
        Object value = javaValue(column);
        if (value == null) {
            return JSON.nullNode();
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        if (value instanceof BigDecimal decimal) {
            return JSON.getNodeFactory().numberNode(decimal);
        }
        // straight to a node: valueToTree serializes through a token buffer, a visible cost per changed row of a
        // projection's output topic (docs/performance.md "Projections")
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return JSON.getNodeFactory().numberNode(((Number) value).intValue());
        }
        if (value instanceof Long number) {
            return JSON.getNodeFactory().numberNode(number);
        }
        if (value instanceof Boolean bool) {
            return JSON.getNodeFactory().booleanNode(bool);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return JSON.valueToTree(value);
        }
        return JSON.getNodeFactory().textNode(value.toString());
    }

    private static boolean isJson(Object value) {
        return value instanceof JsonNode || value instanceof PGobject object
                && ("json".equals(object.getType()) || "jsonb".equals(object.getType()));
    }

    static JsonNode readJson(String text) throws SQLException {
        try {
            return text == null ? JSON.nullNode() : JSON.readTree(text);
        } catch (IOException e) {
            throw new SQLException("column is not valid JSON", e);
        }
    }
}
