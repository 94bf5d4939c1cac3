package dev.herald.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
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

    /**
     * One row (a column map) as JSON text, the text {@code row(columns).toString()} gives, written straight from the
     * columns: per changed row of a projection's output topic, the tree and Jackson's serializer lookup were a visible
     * cost (docs/performance.md "Projections").
     */
    public static String text(Map<?, ?> columns) throws SQLException {
        if (isWhole(columns)) {
            return row(columns).toString();
        }
        SegmentedStringWriter text = new SegmentedStringWriter(JSON.getFactory()._getBufferRecycler());
        try (JsonGenerator out = JSON.getFactory().createGenerator(text)) {
            out.writeStartObject();
            for (Map.Entry<?, ?> column : columns.entrySet()) {
                out.writeFieldName(String.valueOf(column.getKey()));
                write(out, javaValue(column.getValue()));
            }
            out.writeEndObject();
            out.flush();
            return text.getAndClear();
        } catch (IOException e) {
            throw new SQLException("a row could not be written as JSON", e);
        }
    }

    /** A column's value as {@link #value} would make it, written as its node would write itself. */
    private static void write(JsonGenerator out, Object value) throws IOException, SQLException {
        if (value == null) {
            out.writeNull();
        } else if (value instanceof String string) {
            out.writeString(string);
        } else if (value instanceof BigDecimal decimal) {
            out.writeNumber(decimal);
        } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            out.writeNumber(((Number) value).intValue());
        } else if (value instanceof Long number) {
            out.writeNumber(number);
        } else if (value instanceof Boolean bool) {
            out.writeBoolean(bool);
        } else {
            JSON.writeTree(out, value(value));
        }
    }

    /** A row whose only column is a JSON {@code data}: the row is that JSON object. */
    public static boolean isWhole(Map<?, ?> columns) {
        return columns.size() == 1 && columns.containsKey("data") && isJson(columns.get("data"));
    }

    static JsonNode row(Map<?, ?> columns) throws SQLException {
        if (isWhole(columns)) {
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

    public static JsonNode value(Object column) throws SQLException {
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
