package dev.herald.saga;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A small service on loopback that a saga calls (payment, inventory): each request is logged, and a request's
 * effect happens once per Idempotency-Key (a repeat answers what the first did). What it answers is the test's
 * {@link Behaviour}, chosen per request from its path and body.
 */
final class FakeService implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the service saw it. */
    record Request(String method, String path, String idempotencyKey, JsonNode body, String traceparent) {
    }

    /**
     * What to answer: a status and a JSON body. {@code hang}: no answer for a minute (the caller times out); with a
     * 2xx status the effect happens first (an answer lost on its way), with HANG nothing happens.
     */
    record Reply(int status, String body, boolean hang) {
        static final Reply HANG = new Reply(0, "", true);

        Reply(int status, String body) {
            this(status, body, false);
        }

        /** The effect happens, the answer never comes. */
        Reply lost() {
            return new Reply(status, body, true);
        }
    }

    @FunctionalInterface
    interface Behaviour {
        /** {@code attempt}: how many times this Idempotency-Key came before (0 the first time). */
        Reply answer(Request request, int attempt);
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Reply> effects = new ConcurrentHashMap<>();
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    private volatile Behaviour behaviour;

    FakeService(Behaviour behaviour) {
        this.behaviour = behaviour;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requestsTo(String method, String pathPrefix) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).toList();
    }

    /** The effects that happened (2xx answers), one per Idempotency-Key. */
    Map<String, Reply> effects() {
        return Map.copyOf(effects);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] raw = exchange.getRequestBody().readAllBytes();
        JsonNode body = raw.length == 0 ? null : JSON.readTree(raw);
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), key, body,
                exchange.getRequestHeaders().getFirst("traceparent"));
        requests.add(request);
        Reply reply = effects.get(key);
        if (reply == null) {
            int attempt = attempts.merge(String.valueOf(key), 1, Integer::sum) - 1;
            reply = behaviour.answer(request, attempt);
            if (reply.status() / 100 == 2 && key != null) {
                Reply first = effects.putIfAbsent(key, new Reply(reply.status(), reply.body()));
                reply = first == null ? reply : first;
            }
            if (reply.hang()) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
        }
        byte[] answer = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(reply.status(), answer.length == 0 ? -1 : answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
