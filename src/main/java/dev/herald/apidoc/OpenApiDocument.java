package dev.herald.apidoc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.security.AccessControl;
import dev.herald.store.NamedParameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.support.ResourceHelper;

/**
 * The OpenAPI 3.1 document of the HTTP operations the loaded routes declare ({@link HttpOperations}). Each step of
 * a route adds what it does to the request and the answer: {@code json-validator} the request body (its JSON Schema
 * file), {@code herald:command} the 201/202 answer with Location and ETag and the Idempotency-Key and If-Match
 * headers, a read's {@code sql:} its query parameters, {@code herald:parameters} their types, {@code herald:answer}
 * 200 with ETag or 404, and each its problem types. Camel's own OpenAPI support (camel-openapi-java) describes the
 * Rest DSL only; Herald's routes are platform-http routes and route templates, so they are read here.
 * Built as a Jackson tree rather than with swagger-models: the request bodies are the commands' JSON Schema files
 * (2020-12, which OpenAPI 3.1 takes as they are), copied in as trees, and an independent validator checks the result
 * in the tests (OpenApiDocumentTest).
 */
final class OpenApiDocument {

    static final String JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CAST = Pattern.compile("CAST\\(\\s*:#(\\w+)\\s+AS\\s+(\\w+)\\s*\\)",
            Pattern.CASE_INSENSITIVE);

    // the problems route configuration's steps (key check, problem rendering), which the routes' outputs include:
    // described by guarded
    private static final java.util.Set<String> STEPS_OF_THE_CONFIGURATION = java.util.Set.of("access.check",
            "problems.respond");

    private final CamelContext camel;
    private final ObjectNode document = JSON.createObjectNode();
    private final ObjectNode components;

    private OpenApiDocument(CamelContext camel) {
        this.camel = camel;
        this.components = JSON.createObjectNode();
    }

    static ObjectNode of(CamelContext camel, List<HttpOperation> operations, String serverUrl, String version) {
        return new OpenApiDocument(camel).build(operations, serverUrl, version);
    }

    private ObjectNode build(List<HttpOperation> operations, String serverUrl, String version) {
        document.put("openapi", "3.1.0");
        document.putObject("info").put("title", "Herald").put("version", version)
                .put("description", "HTTP commands -> PostgreSQL -> events on Kafka. Generated from the routes this "
                        + "hub declares (routes/*.camel.yaml). Every refusal is an RFC 9457 problem "
                        + "(application/problem+json) whose `type` is `urn:herald:problem:<name>`; x-problem-types "
                        + "lists the names per status. The events are described by /api/asyncapi.json.");
        document.put("jsonSchemaDialect", JSON_SCHEMA_DIALECT);
        document.putArray("servers").addObject().put("url", serverUrl.isBlank() ? "/" : serverUrl);
        ObjectNode paths = document.putObject("paths");
        for (HttpOperation operation : operations) {
            ObjectNode path = paths.has(operation.path()) ? (ObjectNode) paths.get(operation.path())
                    : paths.putObject(operation.path());
            path.set(operation.method().toLowerCase(Locale.ROOT), operation(operation));
        }
        Components.addShared(components);
        document.set("components", components);
        return document;
    }

    private ObjectNode operation(HttpOperation operation) {
        ObjectNode node = JSON.createObjectNode();
        node.put("operationId", operation.routeId());
        node.putArray("tags").add(tag(operation.path()));
        Map<String, ObjectNode> parameters = new LinkedHashMap<>();
        for (String name : operation.pathParameters()) {
            parameters.put(name, parameter(name, "path", true, JSON.createObjectNode().put("type", "string")));
        }
        Responses responses = new Responses();
        String summary = operation.description();
        if (operation.guarded()) {
            guarded(operation, node, responses);
        }
        if (!operation.method().equals("GET")) {
            responses.problem(413, "body-too-large");
        }
        if (operation.has("jsonRequest")) {
            responses.problem(415, "unsupported-media-type");
            responses.problem(400, "malformed-json");
        }
        String[] schemaTitle = {null};
        operation.step("json-validator:").ifPresent(uri -> {
            responses.problem(400, "schema-violation");
            String schema = requestSchema(uri);
            schemaTitle[0] = components.path("schemas").path(schema).path("title").asText(null);
            ObjectNode body = node.putObject("requestBody").put("required", !operation.has("jsonRequest"));
            body.putObject("content").putObject("application/json").putObject("schema")
                    .put("$ref", "#/components/schemas/" + schema);
        });
        operation.step("herald:command").ifPresent(uri -> command(operation, uri, parameters, responses));
        sqlAndReadSteps(operation, parameters, responses);
        for (String uri : operation.uris()) {
            if (uri.startsWith("herald:openapi") || uri.startsWith("herald:asyncapi")) {
                responses.answer(200, () -> Components.body("the document", HttpOperation.option(uri, "format")
                        .orElse("json").equals("yaml") ? "application/yaml" : "application/json"));
            }
        }
        String beanSummary = beans(operation, parameters, responses);
        if (!responses.hasAnswer()) {
            responses.answer(200, () -> operation.produces().contains("json")
                    ? Components.json("the answer", JSON.createObjectNode())
                    : Components.body("the answer", operation.produces()));
        }
        if (summary == null) {
            summary = beanSummary != null ? beanSummary
                    : operation.step("herald:command").map(uri -> (schemaTitle[0] != null ? schemaTitle[0] + ": "
                            : "") + "emits " + HttpOperation.option(uri, "event").orElse("an event"))
                            .orElse(operation.routeId());
        }
        node.put("summary", summary);
        if (!parameters.isEmpty()) {
            ArrayNode list = node.putArray("parameters");
            parameters.values().forEach(list::add);
        }
        responses.render(node.putObject("responses"));
        return node;
    }

    /** The problems route configuration: the API key scope the path needs (none for the documents), its refusals. */
    private static void guarded(HttpOperation operation, ObjectNode node, Responses responses) {
        if (AccessControl.isPublic(operation.path())) {
            node.putArray("security");
        } else {
            responses.problem(401, "unauthorized");
            responses.problem(403, "forbidden");
            node.putArray("security").addObject().putArray("apiKey")
                    .add(AccessControl.needed(operation.path(), operation.method()).label());
        }
        responses.problem(429, "rate-limited");
        responses.problem(500, "internal");
        responses.problem(503, "database-unavailable", "overloaded", "shutting-down");
    }

    /** {@code sql:} steps (a read's query parameters, a database's refusals), herald:parameters, herald:answer. */
    private static void sqlAndReadSteps(HttpOperation operation, Map<String, ObjectNode> parameters,
            Responses responses) {
        boolean read = operation.has("queryParameters");
        for (String uri : operation.steps("sql:")) {
            responses.problem(400, "invalid-value");
            responses.problem(503, "database-unavailable");
            if (read) {
                queryParameters(uri, operation, parameters);
            } else {
                responses.problem(409, "conflict", "still-referenced");
                responses.problem(422, "unknown-reference", "constraint-violation");
            }
        }
        operation.step("herald:parameters").ifPresent(uri -> {
            responses.problem(400, "invalid-parameter");
            typed(parameters, HttpOperation.option(uri, "times").orElse(""),
                    JSON.createObjectNode().put("type", "string").put("format", "date-time"));
            typed(parameters, HttpOperation.option(uri, "versions").orElse(""),
                    JSON.createObjectNode().put("type", "integer").put("minimum", 0));
        });
        operation.step("herald:answer").ifPresent(uri -> {
            boolean single = HttpOperation.option(uri, "single").orElse("false").equals("true");
            if (single) {
                responses.problem(404, "not-found");
            }
            responses.answer(200, () -> single
                    ? Components.json("the row", JSON.createObjectNode().put("type", "object"), "ETag")
                    : Components.json("the rows", JSON.createObjectNode().put("type", "array")
                            .set("items", JSON.createObjectNode().put("type", "object"))));
        });
    }

    private void command(HttpOperation operation, String uri, Map<String, ObjectNode> parameters,
            Responses responses) {
        for (String header : List.of("IdempotencyKey", "IfMatch", "Traceparent")) {
            parameters.put(header, JSON.createObjectNode().put("$ref", "#/components/parameters/" + header));
        }
        ObjectNode answer = Components.json("", JSON.createObjectNode().put("$ref",
                "#/components/schemas/CommandAnswer"), "Location", "ETag", "IdempotentReplayed");
        responses.answer(201, () -> answer.deepCopy().put("description", "applied, and its event "
                + HttpOperation.option(uri, "event").orElse("") + " committed in PostgreSQL and Kafka"));
        responses.answer(202, () -> answer.deepCopy().put("description", "applied; its event is in the outbox, "
                + "the relay publishes it (outbox mode, or a Kafka commit that failed after the database's)"));
        responses.problem(400, "invalid-if-match", "invalid-idempotency-key");
        if (!operation.pathParameters().isEmpty()) {
            responses.problem(404, "not-found");
        }
        responses.problem(409, "state-conflict", "conflict", "still-referenced");
        responses.problem(412, "version-mismatch");
        responses.problem(422, "unknown-reference", "idempotency-key-reused", "event-refused");
        responses.problem(500, "event-contract-violation");
        responses.problem(503, "broker-unavailable", "publish-timeout", "shedding", "outcome-unknown");
    }

    /** A read's query parameters: its SQL's {@code :#names} that are not path parameters, typed by their CAST. */
    private static void queryParameters(String uri, HttpOperation operation, Map<String, ObjectNode> parameters) {
        Map<String, String> casts = new LinkedHashMap<>();
        Matcher cast = CAST.matcher(uri);
        while (cast.find()) {
            casts.putIfAbsent(cast.group(1), cast.group(2).toLowerCase(Locale.ROOT));
        }
        for (String name : NamedParameters.names(uri)) {
            if (!operation.pathParameters().contains(name) && !parameters.containsKey(name)) {
                parameters.put(name, parameter(name, "query", false, sqlType(casts.get(name))));
            }
        }
    }

    private static ObjectNode sqlType(String cast) {
        ObjectNode schema = JSON.createObjectNode();
        if (cast == null) {
            return schema.put("type", "string");
        }
        return switch (cast) {
            case "int", "integer", "bigint", "smallint" -> schema.put("type", "integer");
            case "numeric", "decimal" -> schema.put("type", "number");
            case "uuid" -> schema.put("type", "string").put("format", "uuid");
            case "timestamptz", "timestamp" -> schema.put("type", "string").put("format", "date-time");
            case "boolean", "bool" -> schema.put("type", "boolean");
            default -> schema.put("type", "string");
        };
    }

    private static void typed(Map<String, ObjectNode> parameters, String names, ObjectNode schema) {
        for (String name : names.split(",")) {
            if (!name.isBlank()) {
                parameters.computeIfAbsent(name.strip(), n -> parameter(n, "query", false, schema))
                        .set("schema", schema.deepCopy());
            }
        }
    }

    /** The bean steps' answers ({@link OperatorAnswers}); the summary of the first known one. */
    private static String beans(HttpOperation operation, Map<String, ObjectNode> parameters, Responses responses) {
        String summary = null;
        for (String processor : operation.processors()) {
            if (!processor.contains(".") || STEPS_OF_THE_CONFIGURATION.contains(processor)) {
                continue;
            }
            var answer = OperatorAnswers.of(processor);
            if (answer.isEmpty()) {
                responses.anyProblem();
                continue;
            }
            var known = answer.get();
            summary = summary == null ? known.summary() : summary;
            String produces = operation.produces();
            responses.answer(known.status(), () -> known.status() == 204
                    ? JSON.createObjectNode().put("description", known.summary())
                    : Components.body(known.summary(), produces.contains("text/plain") ? "text/plain"
                            : processor.equals("schemaRegistry.schema") ? "application/schema+json" : "application/json"));
            if (known.otherStatus() != 0) {
                responses.answer(known.otherStatus(), () -> Components.body("not ready", "application/json"));
            }
            known.problems().forEach(responses::problem);
            for (String name : known.query()) {
                parameters.putIfAbsent(name, parameter(name, "query", false,
                        JSON.createObjectNode().put("type", name.equals("limit") ? "integer" : "string")));
            }
        }
        return summary;
    }

    private static ObjectNode parameter(String name, String in, boolean required, ObjectNode schema) {
        ObjectNode parameter = JSON.createObjectNode().put("name", name).put("in", in).put("required", required);
        parameter.set("schema", schema);
        return parameter;
    }

    /** The JSON Schema file of a json-validator step, under components/schemas by its file name. */
    private String requestSchema(String uri) {
        String file = uri.substring("json-validator:".length()).split("\\?", 2)[0];
        String name = file.substring(file.lastIndexOf('/') + 1).replaceFirst("\\.json$", "")
                .replaceAll("[^A-Za-z0-9._-]", "_");
        ObjectNode schemas = components.has("schemas") ? (ObjectNode) components.get("schemas")
                : components.putObject("schemas");
        if (!schemas.has(name)) {
            try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(camel, file)) {
                JsonNode schema = JSON.readTree(in);
                ObjectNode copy = schema.deepCopy();
                // one dialect for the document (jsonSchemaDialect); the $id is a URN no one resolves
                copy.remove("$schema");
                copy.remove("$id");
                copy.put("x-schema-file", file.replaceFirst("^file:", ""));
                schemas.set(name, copy);
            } catch (IOException e) {
                throw new UncheckedIOException("JSON Schema " + file + " cannot be read: " + e.getMessage(), e);
            }
        }
        return name;
    }

    private static String tag(String path) {
        String[] segments = path.split("/");
        if (segments.length > 2 && segments[1].equals("api")) {
            return segments[2];
        }
        return segments.length > 1 ? segments[1] : "root";
    }
}
