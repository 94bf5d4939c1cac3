package dev.herald.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * A row image as Debezium gives it (a Kafka Connect {@link Struct}) as the event's JSON data: columns by name,
 * numbers with their precision, bytes as base64; time columns as Debezium's default mapping gives them (epoch
 * numbers, see docs/cdc.md). A row an operator's retry gives back (as a dead letter kept it) is that JSON already.
 */
final class Rows {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Rows() {
    }

    /** A row image: Debezium's, or the row a dead letter kept (an operator's retry of a refused change). */
    static boolean isRow(Object row) {
        return row instanceof Struct || row instanceof ObjectNode;
    }

    static ObjectNode json(Object row) {
        if (row instanceof ObjectNode kept) {
            return kept.deepCopy();
        }
        if (!(row instanceof Struct struct)) {
            throw new IllegalArgumentException("the change has no row image"
                    + (row == null ? "" : " (a " + row.getClass().getName() + ")"));
        }
        ObjectNode object = JSON.objectNode();
        for (Field field : struct.schema().fields()) {
            object.set(field.name(), value(struct.get(field)));
        }
        return object;
    }

    private static JsonNode value(Object value) {
        if (value == null) {
            return JSON.nullNode();
        }
        if (value instanceof Struct) {
            return json(value);
        }
        if (value instanceof String text) {
            return JSON.textNode(text);
        }
        if (value instanceof Boolean flag) {
            return JSON.booleanNode(flag);
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return JSON.numberNode(((Number) value).intValue());
        }
        if (value instanceof Long number) {
            return JSON.numberNode(number);
        }
        if (value instanceof Float || value instanceof Double) {
            return JSON.numberNode(((Number) value).doubleValue());
        }
        if (value instanceof BigDecimal decimal) {
            return JSON.numberNode(decimal);
        }
        if (value instanceof byte[] bytes) {
            return JSON.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return JSON.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof Collection<?> list) {
            ArrayNode array = JSON.arrayNode();
            list.forEach(item -> array.add(value(item)));
            return array;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = JSON.objectNode();
            map.forEach((key, item) -> object.set(String.valueOf(key), value(item)));
            return object;
        }
        return JSON.textNode(value.toString());
    }
}
