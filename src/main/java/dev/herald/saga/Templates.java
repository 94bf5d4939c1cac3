package dev.herald.saga;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.herald.http.JsonBodies;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A saga call's path and body templates filled from the saga's data ({@code {order_id}}, {@code {payment_id}}).
 * The body is JSON: a string that is one placeholder alone ({@code "{items}"}) becomes the field's JSON value, of
 * whatever type; a placeholder inside a longer string is its text. Neither Camel's simple language nor a string
 * replace does that without breaking JSON (quotes in values, arrays), hence this step.
 */
final class Templates {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_]+)}");

    private Templates() {
    }

    /** {@code /payments/{payment_id}/refund} with each value URL-encoded as a path segment. */
    static String path(String template, JsonNode data) {
        return replace(template, data, value -> URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
    }

    /** {@code {order_id}} or any text with placeholders, the values as they are (an aggregate id). */
    static String text(String template, JsonNode data) {
        return replace(template, data, value -> value);
    }

    /** The JSON body template with the data's values in place. */
    static String body(String template, JsonNode data) {
        JsonNode tree;
        try {
            tree = JsonBodies.MAPPER.readTree(template);
        } catch (IOException e) {
            throw new IllegalArgumentException("a saga call's body template is not JSON: " + template, e);
        }
        return fill(tree, data).toString();
    }

    private static JsonNode fill(JsonNode node, JsonNode data) {
        if (node.isTextual()) {
            Matcher alone = PLACEHOLDER.matcher(node.textValue());
            if (alone.matches()) {
                return value(data, alone.group(1));
            }
            return TextNode.valueOf(text(node.textValue(), data));
        }
        if (node instanceof ObjectNode object) {
            ObjectNode filled = JsonBodies.MAPPER.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                filled.set(field.getKey(), fill(field.getValue(), data));
            }
            return filled;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode filled = JsonBodies.MAPPER.createArrayNode();
            array.forEach(item -> filled.add(fill(item, data)));
            return filled;
        }
        return node;
    }

    private static String replace(String template, JsonNode data, java.util.function.UnaryOperator<String> encode) {
        Matcher placeholder = PLACEHOLDER.matcher(template);
        StringBuilder filled = new StringBuilder();
        while (placeholder.find()) {
            JsonNode value = value(data, placeholder.group(1));
            placeholder.appendReplacement(filled, Matcher.quoteReplacement(
                    encode.apply(value.isValueNode() ? value.asText() : value.toString())));
        }
        placeholder.appendTail(filled);
        return filled.toString();
    }

    private static JsonNode value(JsonNode data, String name) {
        JsonNode value = data.get(name);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("the saga's data has no " + name + " (fields: "
                    + String.join(", ", (Iterable<String>) data::fieldNames) + ")");
        }
        return value;
    }
}
