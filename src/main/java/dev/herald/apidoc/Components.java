package dev.herald.apidoc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * What every OpenAPI document of a hub shares: the problem and command-answer schemas, the command headers, the
 * response headers and the API key scheme, from {@code openapi-components.json} beside this class (a fixed part of
 * Herald's contract, written once rather than built), and small builders of response objects.
 */
final class Components {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode SHARED = read();

    private Components() {
    }

    static void addShared(ObjectNode components) {
        SHARED.fields().forEachRemaining(section -> {
            ObjectNode into = components.has(section.getKey()) ? (ObjectNode) components.get(section.getKey())
                    : components.putObject(section.getKey());
            section.getValue().fields().forEachRemaining(entry -> into.set(entry.getKey(), entry.getValue().deepCopy()));
        });
    }

    /** A JSON response with this schema and these response headers (names under components/headers). */
    static ObjectNode json(String description, ObjectNode schema, String... headers) {
        ObjectNode response = JSON.createObjectNode().put("description", description);
        ObjectNode named = null;
        for (String header : headers) {
            if (header == null) {
                continue;
            }
            named = named == null ? response.putObject("headers") : named;
            named.putObject(headerName(header)).put("$ref", "#/components/headers/" + header);
        }
        response.putObject("content").putObject("application/json").set("schema", schema);
        return response;
    }

    /** A response whose body is described only by its media type. */
    static ObjectNode body(String description, String mediaType) {
        ObjectNode response = JSON.createObjectNode().put("description", description);
        ObjectNode schema = response.putObject("content").putObject(mediaType).putObject("schema");
        if (!mediaType.startsWith("text/")) {
            schema.put("type", "object");
        } else {
            schema.put("type", "string");
        }
        return response;
    }

    private static String headerName(String component) {
        return switch (component) {
            case "IdempotentReplayed" -> "Idempotent-Replayed";
            case "RetryAfter" -> "Retry-After";
            default -> component;
        };
    }

    private static JsonNode read() {
        try (InputStream in = Components.class.getResourceAsStream("openapi-components.json")) {
            return JSON.readTree(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException(new IOException("openapi-components.json cannot be read", e));
        }
    }
}
