package dev.herald.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The parameters a command's SQL steps read ({@code :#name} in camel-sql): the body's fields, the path's
 * parameters and what the store adds ({@code id}, {@code version}, {@code command_id}, {@code event_id}).
 * A name the command does not supply is NULL here, like a field the client left out: camel-sql would
 * otherwise look it up in the message headers, where a client could set it.
 */
public final class SqlParameters extends AbstractMap<String, Object> {

    private final Map<String, Object> values;

    public SqlParameters(Map<String, Object> values) {
        this.values = new HashMap<>(values);
    }

    /** A JSON body's fields as SQL values: text, numbers, booleans; objects and arrays as JSON text. */
    public static Map<String, Object> fromJson(JsonNode body) {
        Map<String, Object> values = new HashMap<>();
        body.fields().forEachRemaining(field -> values.put(field.getKey(), sqlValue(field.getValue())));
        return values;
    }

    private static Object sqlValue(JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        if (value.isNumber()) {
            return value.decimalValue();
        }
        return value.toString();
    }

    @Override
    public boolean containsKey(Object name) {
        return true;
    }

    @Override
    public Object get(Object name) {
        return values.get(name);
    }

    @Override
    public Object put(String name, Object value) {
        return values.put(name, value);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return values.entrySet();
    }
}
