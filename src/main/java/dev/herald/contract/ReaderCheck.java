package dev.herald.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a reader schema accepts every instance a writer schema allows, by comparing the two documents keyword by
 * keyword (the rules of docs/events.md, after Confluent's JSON Schema rules). Sound rather than complete: what it
 * cannot reason about (combinators, {@code $ref}, {@code patternProperties}...) passes only when unchanged.
 */
final class ReaderCheck {

    private static final JsonNode ANYTHING = JsonNodeFactory.instance.objectNode();
    private static final Set<String> ALL_TYPES = Set.of("null", "boolean", "object", "array", "number", "integer",
            "string");
    /** Keywords that never change what validates. */
    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$comment", "title", "description",
            "examples", "default", "deprecated", "readOnly", "writeOnly", "$anchor");
    /** Keywords this check understands; any other one must be equal on both sides. */
    private static final Set<String> UNDERSTOOD = Set.of("type", "enum", "const", "properties", "required",
            "additionalProperties", "items", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "minItems", "maxItems", "minProperties", "maxProperties", "pattern", "format",
            "multipleOf", "uniqueItems");
    private static final List<String> LOWER_BOUNDS = List.of("minLength", "minItems", "minProperties", "minimum",
            "exclusiveMinimum");
    private static final List<String> UPPER_BOUNDS = List.of("maxLength", "maxItems", "maxProperties", "maximum",
            "exclusiveMaximum");

    private final String writerName;
    private final String readerName;
    private final List<Incompatibility> found = new ArrayList<>();

    private ReaderCheck(String writerName, String readerName) {
        this.writerName = writerName;
        this.readerName = readerName;
    }

    /** What keeps {@code reader} from accepting every instance {@code writer} allows; empty when nothing does. */
    static List<Incompatibility> of(JsonNode writer, String writerName, JsonNode reader, String readerName) {
        ReaderCheck check = new ReaderCheck(writerName, readerName);
        check.compare(writer, reader, "");
        return check.found;
    }

    private void compare(JsonNode writer, JsonNode reader, String pointer) {
        if (writer.equals(reader) || acceptsAnything(reader) || writer.isBoolean() && !writer.booleanValue()) {
            return;
        }
        JsonNode w = writer.isBoolean() ? ANYTHING : writer;
        if (reader.isBoolean()) { // false: the reader accepts nothing here
            refuse(pointer, "type-narrowed", readerName + " accepts nothing here, " + writerName + " writes data");
            return;
        }
        unsupported(w, reader, pointer);
        types(w, reader, pointer);
        enums(w, reader, pointer);
        bounds(w, reader, pointer);
        sameWhenRead(w, reader, pointer, "pattern", "pattern-changed");
        sameWhenRead(w, reader, pointer, "format", "format-changed");
        multipleOf(w, reader, pointer);
        if (reader.path("uniqueItems").asBoolean(false) && !w.path("uniqueItems").asBoolean(false)) {
            refuse(pointer, "unique-items-added", readerName + " requires unique items, " + writerName
                    + " does not");
        }
        objects(w, reader, pointer);
        if (w.has("items") || reader.has("items")) {
            compare(w.path("items").isMissingNode() ? ANYTHING : w.get("items"),
                    reader.path("items").isMissingNode() ? ANYTHING : reader.get("items"), pointer + "/items");
        }
    }

    private void unsupported(JsonNode writer, JsonNode reader, String pointer) {
        Set<String> keywords = new TreeSet<>();
        writer.fieldNames().forEachRemaining(keywords::add);
        reader.fieldNames().forEachRemaining(keywords::add);
        for (String keyword : keywords) {
            if (!ANNOTATIONS.contains(keyword) && !UNDERSTOOD.contains(keyword)
                    && !String.valueOf(writer.get(keyword)).equals(String.valueOf(reader.get(keyword)))) {
                refuse(pointer + "/" + keyword, "unsupported-change", keyword + " differs between " + writerName
                        + " and " + readerName + "; the check compares it only for equality");
            }
        }
    }

    private void types(JsonNode writer, JsonNode reader, String pointer) {
        Set<String> readable = typesOf(reader);
        Set<String> written = writer.has("type") || !values(writer).isPresent() ? typesOf(writer)
                : typesOfValues(values(writer).get());
        Set<String> unreadable = new TreeSet<>();
        for (String type : written) {
            if (!readable.contains(type) && !(type.equals("integer") && readable.contains("number"))) {
                unreadable.add(type);
            }
        }
        if (unreadable.isEmpty()) {
            return;
        }
        boolean overlap = unreadable.size() < written.size()
                || unreadable.contains("number") && readable.contains("integer"); // number -> integer narrows
        refuse(pointer, overlap ? "type-narrowed" : "type-changed", writerName + " writes " + describe(written)
                + ", " + readerName + " reads " + describe(readable) + ": " + String.join(", ", unreadable)
                + " no longer accepted");
    }

    private void enums(JsonNode writer, JsonNode reader, String pointer) {
        var readable = values(reader);
        if (readable.isEmpty()) {
            return;
        }
        var written = values(writer);
        if (written.isEmpty()) {
            refuse(pointer, "enum-narrowed", readerName + " allows only " + readable.get() + ", " + writerName
                    + " any value");
            return;
        }
        Set<JsonNode> missing = new LinkedHashSet<>(written.get());
        missing.removeAll(readable.get());
        if (!missing.isEmpty()) {
            refuse(pointer, "enum-narrowed", readerName + " no longer allows " + missing + " that " + writerName
                    + " allows");
        }
    }

    private void bounds(JsonNode writer, JsonNode reader, String pointer) {
        for (String keyword : LOWER_BOUNDS) {
            bound(writer, reader, pointer, keyword, 1);
        }
        for (String keyword : UPPER_BOUNDS) {
            bound(writer, reader, pointer, keyword, -1);
        }
    }

    /** {@code direction} 1: a lower bound (the reader's may not be higher), -1: an upper bound. */
    private void bound(JsonNode writer, JsonNode reader, String pointer, String keyword, int direction) {
        if (!reader.path(keyword).isNumber()) {
            return;
        }
        BigDecimal read = reader.get(keyword).decimalValue();
        if (!writer.path(keyword).isNumber()) {
            refuse(pointer, "bound-tightened", readerName + " adds " + keyword + " " + read.toPlainString() + ", "
                    + writerName + " has none");
        } else if (read.compareTo(writer.get(keyword).decimalValue()) * direction > 0) {
            refuse(pointer, "bound-tightened", keyword + " " + writer.get(keyword).decimalValue().toPlainString()
                    + " in " + writerName + ", " + read.toPlainString() + " in " + readerName);
        }
    }

    private void sameWhenRead(JsonNode writer, JsonNode reader, String pointer, String keyword, String rule) {
        if (reader.has(keyword) && !reader.get(keyword).equals(writer.get(keyword))) {
            refuse(pointer, rule, readerName + " has " + keyword + " " + reader.get(keyword) + ", " + writerName + " "
                    + (writer.has(keyword) ? writer.get(keyword) : "none"));
        }
    }

    private void multipleOf(JsonNode writer, JsonNode reader, String pointer) {
        if (!reader.path("multipleOf").isNumber()) {
            return;
        }
        BigDecimal read = reader.get("multipleOf").decimalValue();
        boolean implied = writer.path("multipleOf").isNumber() && read.signum() != 0
                && writer.get("multipleOf").decimalValue().remainder(read).signum() == 0;
        if (!implied) {
            refuse(pointer, "multiple-of-changed", readerName + " has multipleOf " + read.toPlainString() + ", "
                    + writerName + " " + (writer.has("multipleOf") ? writer.get("multipleOf") : "none"));
        }
    }

    private void objects(JsonNode writer, JsonNode reader, String pointer) {
        JsonNode writerFields = writer.path("properties");
        JsonNode readerFields = reader.path("properties");
        JsonNode writerOthers = writer.path("additionalProperties");
        JsonNode readerOthers = reader.path("additionalProperties");
        // required-added: data of the writer may lack the field (a default lets the reader fill it in)
        Set<String> required = names(reader.path("required"));
        required.removeAll(names(writer.path("required")));
        for (String field : required) {
            if (!readerFields.path(field).has("default")) {
                refuse(pointer + "/properties/" + field, "required-added", readerName + " requires " + field
                        + " (without a default), which data of " + writerName + " may lack");
            }
        }
        for (Map.Entry<String, JsonNode> field : writerFields.properties()) {
            String at = pointer + "/properties/" + field.getKey();
            if (readerFields.has(field.getKey())) {
                compare(field.getValue(), readerFields.get(field.getKey()), at);
            } else if (isClosed(readerOthers)) {
                refuse(at, "property-removed-from-closed-model", writerName + " has " + field.getKey() + ", "
                        + readerName + " lacks it and allows no other properties");
            } else if (readerOthers.isObject()) {
                compare(field.getValue(), readerOthers, at);
            }
        }
        for (Map.Entry<String, JsonNode> field : readerFields.properties()) {
            if (writerFields.has(field.getKey()) || isClosed(writerOthers)) {
                continue; // compared above, or the writer never sends it
            }
            String at = pointer + "/properties/" + field.getKey();
            if (writerOthers.isObject()) {
                compare(writerOthers, field.getValue(), at);
            } else if (!acceptsAnything(field.getValue())) {
                refuse(at, "property-added-to-open-model", readerName + " constrains " + field.getKey() + ", which "
                        + writerName + " leaves open (any value may have been written)");
            }
        }
        if (!isClosed(writerOthers) && (readerOthers.isBoolean() || readerOthers.isObject())) {
            if (isClosed(readerOthers)) {
                refuse(pointer + "/additionalProperties", "additional-properties-closed", readerName
                        + " allows no other properties, " + writerName + " does");
            } else if (readerOthers.isObject()) {
                compare(writerOthers.isObject() ? writerOthers : ANYTHING, readerOthers,
                        pointer + "/additionalProperties");
            }
        }
    }

    private static boolean isClosed(JsonNode additionalProperties) {
        return additionalProperties.isBoolean() && !additionalProperties.booleanValue();
    }

    private static boolean acceptsAnything(JsonNode schema) {
        if (schema.isBoolean()) {
            return schema.booleanValue();
        }
        for (var fields = schema.fieldNames(); fields.hasNext();) {
            if (!ANNOTATIONS.contains(fields.next())) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> typesOf(JsonNode schema) {
        JsonNode type = schema.get("type");
        if (type == null) {
            return ALL_TYPES;
        }
        Set<String> types = new TreeSet<>();
        if (type.isArray()) {
            type.forEach(t -> types.add(t.asText()));
        } else {
            types.add(type.asText());
        }
        return types;
    }

    private static Set<String> typesOfValues(Set<JsonNode> values) {
        Set<String> types = new TreeSet<>();
        for (JsonNode value : values) {
            types.add(value.isIntegralNumber() ? "integer" : value.isNumber() ? "number"
                    : value.isNull() ? "null" : value.isTextual() ? "string" : value.isBoolean() ? "boolean"
                    : value.isArray() ? "array" : "object");
        }
        return types;
    }

    /** The values an {@code enum} or {@code const} allows; empty when any value is allowed. */
    private static Optional<Set<JsonNode>> values(JsonNode schema) {
        if (schema.has("const")) {
            return Optional.of(Set.of(schema.get("const")));
        }
        if (schema.path("enum").isArray()) {
            Set<JsonNode> values = new LinkedHashSet<>();
            schema.get("enum").forEach(values::add);
            return Optional.of(values);
        }
        return Optional.empty();
    }

    private static Set<String> names(JsonNode array) {
        Set<String> names = new TreeSet<>();
        array.forEach(name -> names.add(name.asText()));
        return names;
    }

    private static String describe(Set<String> types) {
        return types.equals(ALL_TYPES) ? "any type" : String.join("|", types);
    }

    private void refuse(String pointer, String rule, String detail) {
        found.add(new Incompatibility(pointer, rule, detail));
    }
}
