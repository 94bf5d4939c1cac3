package dev.herald.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compatibility rules as a table: a pair of versions, a mode, and the rule broken (with the place in the
 * schema) or "ok". {@code closed}/{@code open}: an object schema that allows no other fields / any other field.
 */
class CompatibilityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A closed object of these fields, required as listed in {@code required}. */
    private static String closed(String required, String properties) {
        return """
                {"type": "object", "additionalProperties": false, "required": [%s], "properties": {%s}}"""
                .formatted(required, properties);
    }

    private static String open(String required, String properties) {
        return """
                {"type": "object", "required": [%s], "properties": {%s}}""".formatted(required, properties);
    }

    private static final String ID = "\"id\": {\"type\": \"string\"}";
    private static final String NAME = "\"name\": {\"type\": \"string\"}";
    private static final String V1 = closed("\"id\"", ID);

    static Stream<Arguments> table() {
        return Stream.of(
                // mode, older, newer, expected ("ok" or "rule at pointer")
                row("backward", V1, V1, "ok"),
                // optional field added to a closed model
                row("backward", V1, closed("\"id\"", ID + ", " + NAME), "ok"),
                row("backward", V1, closed("\"id\", \"name\"", ID + ", " + NAME),
                        "required-added at /properties/name"),
                // required with a default
                row("backward", V1, closed("\"id\", \"name\"",
                        ID + ", \"name\": {\"type\": \"string\", \"default\": \"\"}"), "ok"),
                row("backward", closed("\"id\"", ID + ", " + NAME), V1,
                        "property-removed-from-closed-model at /properties/name"),
                // removed from an open model
                row("backward", open("\"id\"", ID + ", " + NAME), open("\"id\"", ID), "ok"),
                row("backward", open("\"id\"", ID), open("\"id\"", ID + ", " + NAME),
                        "property-added-to-open-model at /properties/name"),
                // required dropped
                row("backward", closed("\"id\", \"name\"", ID + ", " + NAME), closed("\"id\"", ID + ", " + NAME),
                        "ok"),
                row("backward", V1, closed("\"id\"", "\"id\": {\"type\": \"integer\"}"),
                        "type-changed at /properties/id"),
                row("backward", closed("\"id\"", "\"id\": {\"type\": [\"string\", \"null\"]}"), V1,
                        "type-narrowed at /properties/id"),
                // made nullable
                row("backward", V1, closed("\"id\"", "\"id\": {\"type\": [\"string\", \"null\"]}"), "ok"),
                // integer widened to number
                row("backward", closed("\"id\"", "\"id\": {\"type\": \"integer\"}"),
                        closed("\"id\"", "\"id\": {\"type\": \"number\"}"), "ok"),
                row("backward", closed("\"id\"", "\"id\": {\"type\": \"number\"}"),
                        closed("\"id\"", "\"id\": {\"type\": \"integer\"}"), "type-narrowed at /properties/id"),
                // enum widened
                row("backward", closed("\"id\"", "\"id\": {\"enum\": [\"a\", \"b\"]}"),
                        closed("\"id\"", "\"id\": {\"enum\": [\"a\", \"b\", \"c\"]}"), "ok"),
                row("backward", closed("\"id\"", "\"id\": {\"enum\": [\"a\", \"b\"]}"),
                        closed("\"id\"", "\"id\": {\"enum\": [\"a\"]}"), "enum-narrowed at /properties/id"),
                row("backward", closed("\"id\"", "\"id\": {\"type\": \"string\", \"maxLength\": 10}"),
                        closed("\"id\"", "\"id\": {\"type\": \"string\", \"maxLength\": 5}"),
                        "bound-tightened at /properties/id"),
                row("backward", closed("\"id\"", "\"id\": {\"type\": \"string\", \"maxLength\": 5}"),
                        closed("\"id\"", "\"id\": {\"type\": \"string\", \"maxLength\": 10}"), "ok"),
                // opened
                row("backward", V1, open("\"id\"", ID), "ok"),
                row("backward", open("\"id\"", ID), V1, "additional-properties-closed at /additionalProperties"),
                row("backward", closed("\"l\"", "\"l\": {\"type\": \"array\", \"items\": {\"type\": \"integer\"}}"),
                        closed("\"l\"", "\"l\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}}"),
                        "type-changed at /properties/l/items"),
                row("backward", closed("\"id\"", "\"id\": {\"anyOf\": [{\"type\": \"string\"}]}"),
                        closed("\"id\"", "\"id\": {\"anyOf\": [{\"type\": \"integer\"}]}"),
                        "unsupported-change at /properties/id/anyOf"),
                // forward: the old version reads what the new one writes
                // the old closed reader lacks the new field
                row("forward", V1, closed("\"id\"", ID + ", " + NAME),
                        "property-removed-from-closed-model at /properties/name"),
                // the new writer just stops sending it
                row("forward", closed("\"id\"", ID + ", " + NAME), V1, "ok"),
                // old readers require what may now be missing
                row("forward", closed("\"id\", \"name\"", ID + ", " + NAME), closed("\"id\"", ID + ", " + NAME),
                        "required-added at /properties/name"),
                row("forward", closed("\"id\"", "\"id\": {\"enum\": [\"a\", \"b\"]}"),
                        closed("\"id\"", "\"id\": {\"enum\": [\"a\", \"b\", \"c\"]}"),
                        "enum-narrowed at /properties/id"),
                row("forward", closed("\"id\"", "\"id\": {\"enum\": [\"a\", \"b\"]}"),
                        closed("\"id\"", "\"id\": {\"enum\": [\"a\"]}"), "ok"),
                // full: both directions
                row("full", V1, V1, "ok"),
                row("full", closed("\"id\"", "\"id\": {\"enum\": [\"a\", \"b\"]}"),
                        closed("\"id\"", "\"id\": {\"enum\": [\"a\"]}"), "enum-narrowed at /properties/id"),
                row("full", V1, closed("\"id\"", ID + ", " + NAME),
                        "property-removed-from-closed-model at /properties/name"),
                // backward only: old readers want a string
                row("full", open("\"id\"", ID + ", " + NAME), open("\"id\"", ID + ", \"name\": {}"),
                        "type-narrowed at /properties/name"),
                // annotations only
                row("full", V1, "{\"title\": \"renamed\", " + V1.substring(1), "ok"),
                // none: anything goes
                row("none", V1, closed("\"id\"", "\"id\": {\"type\": \"integer\"}"), "ok"),
                row("none", V1, closed("\"id\", \"name\"", ID + ", " + NAME), "ok"));
    }

    private static Arguments row(String mode, String older, String newer, String expected) {
        return Arguments.of(mode, older, newer, expected);
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}: {3}")
    @MethodSource("table")
    void rule(String mode, String older, String newer, String expected) throws Exception {
        List<Incompatibility> found = Compatibility.parse(mode).check(json(older), 1, json(newer), 2);
        List<String> seen = found.stream().map(i -> i.rule() + " at " + i.pointer()).toList();
        if (expected.equals("ok")) {
            assertThat(seen).as("compatible").isEmpty();
        } else {
            assertThat(seen).as(found.toString()).containsExactly(expected);
        }
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
