package dev.herald.apidoc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.testing.TestHub;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A bounded property-based fuzzer driven by /api/openapi.json: 200 requests with a fixed seed against a running hub,
 * each to a documented operation, with path and query parameters and bodies generated from the document's schemas
 * (valid ones, and some broken: a field missing or of the wrong type, an unknown field, bad JSON, a value out of
 * range, a bad header). Every answer must be below 500, have a status the document lists for that operation, and,
 * when it is a refusal, be application/problem+json whose type is one the document lists for that status.
 */
class OpenApiFuzzTest {

    private static final int REQUESTS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    // creating an API key closes the API to anonymous requests: the rest of the run would only see 401
    private static final Set<String> NOT_FUZZED = Set.of("keys.create");

    private record Operation(String method, String path, JsonNode spec) {
    }

    private final Random random = new Random(20261206L);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> knownIds = new ArrayList<>();
    private JsonNode document;

    @Test
    void noRequestTheDocumentAllowsBreaksTheDocument() throws Exception {
        try (TestHub hub = TestHub.start(Map.of())) {
            document = JSON.readTree(hub.http.get("/api/openapi.json").body());
            JsonNode customer = hub.http.post("/api/customers", "{\"full_name\":\"Ada\",\"email\":\"ada@example.com\"}")
                    .json();
            knownIds.add(customer.get("aggregate_id").asText());
            JsonNode order = hub.http.post("/api/orders", "{\"customer_id\":\"" + knownIds.get(0)
                    + "\",\"items\":[{\"product_id\":\"p\",\"quantity\":1,\"unit_price\":2}]}").json();
            knownIds.add(order.get("aggregate_id").asText());
            knownIds.add(customer.get("command_id").asText());

            List<Operation> operations = operations();
            List<String> broken = new ArrayList<>();
            int[] byClass = new int[6];
            for (int i = 0; i < REQUESTS; i++) {
                Operation operation = operations.get(random.nextInt(operations.size()));
                HttpRequest request = request(hub.http.base(), operation);
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                byClass[response.statusCode() / 100]++;
                String failure = check(operation, response);
                if (failure != null) {
                    broken.add(request.method() + " " + request.uri() + " -> " + response.statusCode() + ": " + failure
                            + "\n    " + abbreviate(response.body()));
                }
            }
            System.out.printf("OpenApiFuzzTest: %d requests, 2xx %d, 4xx %d, 5xx %d%n", REQUESTS, byClass[2], byClass[4],
                    byClass[5]);
            assertThat(broken).as("answers that break the document").isEmpty();
            // the run reached past the refusals: some requests were valid enough to be answered 2xx
            assertThat(byClass[2]).isGreaterThan(REQUESTS / 10);
            assertThat(byClass[4]).isGreaterThan(REQUESTS / 10);
        }
    }

    private List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        document.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(method -> {
            if (!NOT_FUZZED.contains(method.getValue().path("operationId").asText())) {
                operations.add(new Operation(method.getKey().toUpperCase(), path.getKey(), method.getValue()));
            }
        }));
        return operations;
    }

    private HttpRequest request(String base, Operation operation) {
        String path = operation.path();
        StringBuilder query = new StringBuilder();
        HttpRequest.Builder builder = HttpRequest.newBuilder().timeout(Duration.ofSeconds(20));
        for (JsonNode parameter : operation.spec().path("parameters")) {
            JsonNode resolved = resolve(parameter);
            String name = resolved.get("name").asText();
            String in = resolved.get("in").asText();
            if (in.equals("path")) {
                path = path.replace("{" + name + "}", encode(pathValue()));
            } else if (random.nextInt(3) == 0) {
                String value = value(resolved.get("schema"));
                if (in.equals("query")) {
                    query.append(query.length() == 0 ? '?' : '&').append(name).append('=').append(encode(value));
                } else if (in.equals("header")) {
                    builder.header(name, value);
                }
            }
        }
        builder.uri(URI.create(base + path + query));
        JsonNode body = operation.spec().at("/requestBody/content/application~1json/schema");
        if (body.isMissingNode()) {
            return builder.method(operation.method(), operation.method().equals("GET")
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("")).build();
        }
        String json = generate(resolve(body), 0).toString();
        String contentType = "application/json";
        switch (random.nextInt(12)) {
            case 0 -> json = json.substring(0, json.length() / 2);                  // cut short
            case 1 -> contentType = "text/plain";
            case 2 -> json = "[" + json + "]";                                     // not an object
            default -> { }
        }
        return builder.header("Content-Type", contentType)
                .method(operation.method(), HttpRequest.BodyPublishers.ofString(json)).build();
    }

    /** Null when the answer is what the document says; else what is wrong. */
    private String check(Operation operation, HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 500) {
            return "a server error";
        }
        JsonNode responses = operation.spec().get("responses");
        JsonNode documented = responses.get(String.valueOf(status));
        if (documented == null && !responses.has("default")) {
            return "status " + status + " is not documented for " + operation.spec().get("operationId").asText()
                    + " (documented: " + iterable(responses.fieldNames()) + ")";
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (status >= 400) {
            if (!contentType.startsWith("application/problem+json")) {
                return "a refusal that is not application/problem+json: " + contentType;
            }
            JsonNode problem;
            try {
                problem = JSON.readTree(response.body());
            } catch (Exception e) {
                return "a problem that is not JSON";
            }
            String type = problem.path("type").asText();
            if (!type.startsWith("urn:herald:problem:") || problem.path("status").asInt() != status
                    || !problem.hasNonNull("title")) {
                return "not a Herald problem: " + problem;
            }
            JsonNode types = documented == null ? null : documented.get("x-problem-types");
            if (types != null && !iterable(types.elements()).contains(NODES.textNode(
                    type.substring("urn:herald:problem:".length())))) {
                return "problem type " + type + " is not documented for " + status + " (documented: " + types + ")";
            }
        } else if (documented != null && documented.has("content") && !documented.get("content").has(
                contentType.split(";")[0].strip())) {
            return "content type " + contentType + " is not documented (" + documented.get("content").fieldNames()
                    .next() + ")";
        }
        return null;
    }

    /** A value for a path parameter: an id that exists, a fresh UUID, a number or some text. */
    private String pathValue() {
        return switch (random.nextInt(5)) {
            case 0, 1 -> knownIds.get(random.nextInt(knownIds.size()));
            case 2 -> UUID.randomUUID().toString();
            case 3 -> String.valueOf(random.nextInt(100));
            default -> "x" + random.nextInt(1000) + "é";
        };
    }

    /** A query or header value of the parameter's schema type; now and then one that is not. */
    private String value(JsonNode schema) {
        if (random.nextInt(4) == 0) {
            return List.of("", "-1", "not a value", "2026-13-45", "99999999999999999999", "\"1\"")
                    .get(random.nextInt(6));
        }
        String type = schema.path("type").asText("string");
        String format = schema.path("format").asText("");
        if (type.equals("integer")) {
            return String.valueOf(random.nextInt(5));
        }
        if (format.equals("date-time")) {
            return java.time.OffsetDateTime.now().minusSeconds(random.nextInt(100_000)).toString();
        }
        if (format.equals("uuid")) {
            return UUID.randomUUID().toString();
        }
        return "\"" + (1 + random.nextInt(3)) + "\"";
    }

    /** A JSON value of the schema (its required fields, some optional ones); one in five is broken somewhere. */
    private JsonNode generate(JsonNode schema, int depth) {
        if (depth > 0 && random.nextInt(15) == 0) {
            return random.nextBoolean() ? NODES.nullNode() : NODES.booleanNode(true);   // the wrong type
        }
        String type = schema.path("type").asText("object");
        switch (type) {
            case "object" -> {
                ObjectNode object = NODES.objectNode();
                JsonNode required = schema.path("required");
                Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
                while (properties.hasNext()) {
                    Map.Entry<String, JsonNode> property = properties.next();
                    boolean isRequired = iterable(required.elements()).contains(NODES.textNode(property.getKey()));
                    if ((isRequired && random.nextInt(12) != 0) || (!isRequired && random.nextBoolean())) {
                        object.set(property.getKey(), generate(property.getValue(), depth + 1));
                    }
                }
                if (random.nextInt(12) == 0) {
                    object.put("unexpected_" + random.nextInt(10), 1);
                }
                return object;
            }
            case "array" -> {
                ArrayNode array = NODES.arrayNode();
                int count = Math.max(schema.path("minItems").asInt(0), random.nextInt(3));
                for (int i = 0; i < count; i++) {
                    array.add(generate(schema.path("items"), depth + 1));
                }
                return array;
            }
            case "integer" -> {
                return NODES.numberNode(schema.path("minimum").asLong(0) + random.nextInt(3) - (random.nextInt(10) == 0 ? 5 : 0));
            }
            case "number" -> {
                return NODES.numberNode(schema.path("minimum").asDouble(0) + random.nextInt(1000) / 100.0);
            }
            case "boolean" -> {
                return NODES.booleanNode(random.nextBoolean());
            }
            default -> {
                if (schema.has("enum")) {
                    return schema.get("enum").get(random.nextInt(schema.get("enum").size()));
                }
                if (schema.path("format").asText().equals("email")) {
                    return NODES.textNode("fuzz" + random.nextInt(1000) + "@example.com");
                }
                if (schema.path("format").asText().equals("uri")) {
                    return NODES.textNode("https://hooks.invalid/" + random.nextInt(100));   // RFC 2606: never resolves
                }
                int length = Math.max(schema.path("minLength").asInt(0), 1 + random.nextInt(8));
                int max = schema.path("maxLength").asInt(Integer.MAX_VALUE);
                String text = random.nextInt(20) == 0 ? "" : "f".repeat(Math.min(length, max));
                return NODES.textNode(random.nextInt(20) == 0 && knownIds.size() > 0 ? knownIds.get(0) : text);
            }
        }
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode resolved = node;
        while (resolved.has("$ref")) {
            resolved = document.at(resolved.get("$ref").asText().substring(1));
        }
        return resolved;
    }

    private static <T> List<T> iterable(Iterator<T> iterator) {
        List<T> list = new ArrayList<>();
        iterator.forEachRemaining(list::add);
        return list;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }
}
