package dev.herald.contract.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for a Confluent schema registry on loopback, with just the two endpoints Herald calls: {@code PUT
 * /config/{subject}} (kept, answered as Confluent does) and {@code POST /subjects/{subject}/versions} (a schema it
 * holds already answers its id; a new one gets the next id and version). Every request is recorded. No real schema
 * registry runs on this machine (no Confluent Platform, no container runtime), so the tests check Herald against the
 * documented REST API as this fake implements it: content type application/vnd.schemaregistry.v1+json, bodies
 * {@code {"compatibility": ...}} and {@code {"schemaType": "JSON", "schema": "<JSON as a string>"}}, errors
 * {@code {"error_code", "message"}}. {@code refuse}: (subject, schema) answered 409 as an incompatible schema.
 */
final class FakeSchemaRegistry implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CONFIG = Pattern.compile("/config/([^/]+)");
    private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");

    /** One request as the registry saw it; {@code body} parsed, {@code status} what it answered. */
    record Request(String method, String subject, String contentType, String authorization, JsonNode body,
            int status) {

        boolean isVersion() {
            return method.equals("POST");
        }
    }

    private final HttpServer server;
    private final BiPredicate<String, JsonNode> refuse;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> compatibility = new ConcurrentHashMap<>();
    private final Map<String, Integer> ids = new ConcurrentHashMap<>();   // schema text -> id
    private final AtomicInteger nextId = new AtomicInteger(1);

    FakeSchemaRegistry(int port, BiPredicate<String, JsonNode> refuse) {
        this.refuse = refuse;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    static FakeSchemaRegistry on(int port) {
        return new FakeSchemaRegistry(port, (subject, schema) -> false);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requestsOf(String subject) {
        return requests.stream().filter(request -> request.subject().equals(subject)).toList();
    }

    /** How many distinct schemas it holds (each got an id). */
    int schemasHeld() {
        return ids.size();
    }

    Map<String, String> compatibility() {
        return Map.copyOf(compatibility);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            Matcher config = CONFIG.matcher(path);
            Matcher versions = VERSIONS.matcher(path);
            String subject;
            int status;
            String answer;
            if (exchange.getRequestMethod().equals("PUT") && config.matches()) {
                subject = URLDecoder.decode(config.group(1), StandardCharsets.UTF_8);
                compatibility.put(subject, body.path("compatibility").asText());
                status = 200;
                answer = JSON.createObjectNode().put("compatibility", body.path("compatibility").asText()).toString();
            } else if (exchange.getRequestMethod().equals("POST") && versions.matches()) {
                subject = URLDecoder.decode(versions.group(1), StandardCharsets.UTF_8);
                JsonNode schema = JSON.readTree(body.path("schema").asText());
                if (refuse.test(subject, schema)) {
                    status = 409;
                    answer = "{\"error_code\":409,\"message\":\"Schema being registered is incompatible with an "
                            + "earlier schema for subject \\\"" + subject + "\\\"\"}";
                } else {
                    status = 200;
                    int id = ids.computeIfAbsent(body.path("schema").asText(), text -> nextId.getAndIncrement());
                    answer = "{\"id\":" + id + "}";
                }
            } else {
                subject = path;
                status = 404;
                answer = "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}";
            }
            requests.add(new Request(exchange.getRequestMethod(), subject, contentType, authorization, body, status));
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
