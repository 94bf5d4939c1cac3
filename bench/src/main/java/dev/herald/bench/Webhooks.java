package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The webhooks scenario: a backlog of N customer.created events queued for four endpoints while they are
 * disabled, then (0) a first fast endpoint enabled to warm the hub up (not measured), (1) a second fast one
 * enabled alone, (2) a hanging endpoint and a third fast one enabled together. Deliveries/s are timed at the receiver (first to last arrival). Baseline: a plain
 * java.net.http client posting the same bodies to the same receiver with as many requests in flight as the
 * hub allows one endpoint.
 */
final class Webhooks {

    private static final Duration WAIT = Duration.ofSeconds(120);

    private final String hub;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Webhooks(String hub) {
        this.hub = hub;
    }

    static void session(Args args) throws Exception {
        ObjectNode root = Main.JSON.createObjectNode();
        root.put("scenario", "webhooks");
        root.put("mode", "webhooks");
        ObjectNode hubNode = root.putObject("hub");
        hubNode.put("pid", args.getLong("hub-pid", -1));
        hubNode.put("time_to_ready_ms", args.getLong("time-to-ready-ms", -1));
        long events = args.getLong("events", 5_000);
        int inFlight = args.getInt("endpoint-in-flight", 8);
        root.putObject("settings").put("events", events).put("endpoint-in-flight", inFlight);
        ObjectNode out = root.putObject("webhooks");
        // CPU per 1,000 deliveries of each measured phase: the hub JVM, its PostgreSQL (by port, so the machine's
        // own cluster is not counted), the load generator (the receivers; in the raw phase also the plain client)
        String jdbcUrl = args.get("jdbc-url", "");
        long hubPid = args.getLong("hub-pid", -1);
        Cpu cpu = new Cpu(Map.of("hub", hubPid), jdbcUrl.isEmpty() ? 0 : Cpu.portOf(jdbcUrl));
        try (Receivers receivers = new Receivers(); RssSampler rss = new RssSampler(args.getLong("hub-pid", -1))) {
            Webhooks bench = new Webhooks(args.require("hub-url"));
            String warm = bench.endpoint(receivers.url("warm"));
            String alone = bench.endpoint(receivers.url("alone"));
            String beside = bench.endpoint(receivers.url("beside"));
            String hanging = bench.endpoint(receivers.url("hang"));

            Main.log("webhooks: " + events + " customer.created events for 4 disabled endpoints");
            ObjectNode fill = new Intake(args.require("hub-url")).fill(args.getInt("concurrency", 32), events,
                    out.putObject("fill"));
            long accepted = fill.path("ok").asLong();
            long fillEnd = System.nanoTime();
            for (String endpoint : List.of(warm, alone, beside, hanging)) {
                bench.awaitPending(endpoint, accepted);
            }
            out.put("fan_out_caught_up_s", Stats.round((System.nanoTime() - fillEnd) / 1e9, 2));

            Main.log("webhooks: warm-up, the backlog to a first fast endpoint (not measured)");
            bench.enable(warm);
            receivers.await("warm", accepted);

            Main.log("webhooks: one fast endpoint alone");
            Cpu.Phase alonePhase = cpu.start();
            long aloneJit = jitTicks(hubPid);
            bench.enable(alone);
            out.set("alone", receivers.await("alone", accepted));
            jit(alonePhase.end(receivers.count("alone"), 1_000, ((ObjectNode) out.get("alone")).putObject("cpu")),
                    jitTicks(hubPid) - aloneJit);
            Main.log("webhooks:   " + out.get("alone"));

            Main.log("webhooks: a hanging endpoint and a fast one");
            Cpu.Phase besidePhase = cpu.start();
            long besideJit = jitTicks(hubPid);
            bench.enable(hanging);
            bench.enable(beside);
            out.set("beside_hanging", receivers.await("beside", accepted));
            jit(besidePhase.end(receivers.count("beside"), 1_000,
                    ((ObjectNode) out.get("beside_hanging")).putObject("cpu")), jitTicks(hubPid) - besideJit);
            out.put("hanging_received", receivers.count("hang"));
            Main.log("webhooks:   " + out.get("beside_hanging"));

            Main.log("webhooks: raw baseline, plain HttpClient, " + inFlight + " in flight, same bodies");
            Cpu.Phase rawPhase = cpu.start();
            out.set("raw_http", bench.raw(receivers, "raw", inFlight));
            rawPhase.end(receivers.count("raw"), 1_000, ((ObjectNode) out.get("raw_http")).putObject("cpu"));
            Main.log("webhooks:   " + out.get("raw_http"));
            hubNode.put("rss_max_mb", rss.maxMb());
        }
        Main.JSON.writeValue(new File(args.require("out")), root);
    }

    /**
     * CPU ticks of the hub's JIT compiler threads so far: a phase of 10,000 deliveries still compiles, and that
     * share (up to 40 % of the hub's CPU in a phase) moves between runs of the same code; shown apart, inside
     * hub_jvm_ms.
     */
    private static long jitTicks(long pid) {
        long ticks = 0;
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc", Long.toString(pid), "task"))) {
            for (java.nio.file.Path task : tasks.toList()) {
                try {
                    if (java.nio.file.Files.readString(task.resolve("comm")).matches("C\\d CompilerThre.*\\s*")) {
                        String stat = java.nio.file.Files.readString(task.resolve("stat"));
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended
                }
            }
        } catch (IOException | RuntimeException noProc) {
            return 0;
        }
        return ticks;
    }

    private static void jit(ObjectNode cpu, long ticks) {
        long units = cpu.path("units").asLong();
        cpu.put("hub_jit_ms", units > 0 ? Stats.round(ticks * 10.0 * cpu.path("per").asLong() / units, 1) : 0);
    }

    private String endpoint(String url) throws Exception {
        return declareEndpoint(client, hub, "{\"url\":\"" + url
                + "\",\"event_types\":[\"customer.created\"],\"enabled\":false}").get("id").asText();
    }

    /** POST /api/webhooks/endpoints: the endpoint as created (with its secret), or an exception. */
    static JsonNode declareEndpoint(HttpClient http, String hub, String body) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(hub + "/api/webhooks/endpoints"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("endpoint not created: " + created.statusCode() + " " + created.body());
        }
        return Main.JSON.readTree(created.body());
    }

    private void enable(String endpoint) throws Exception {
        send(HttpRequest.newBuilder(URI.create(hub + "/api/webhooks/endpoints/" + endpoint))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"enabled\":true}")));
    }

    /** Until the fan-out queued every event for the endpoint. */
    private void awaitPending(String endpoint, long expected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode view = Main.JSON.readTree(send(HttpRequest.newBuilder(
                    URI.create(hub + "/api/webhooks/endpoints/" + endpoint)).GET()).body());
            if (view.path("pending").asLong() >= expected) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the fan-out did not queue " + expected + " deliveries in " + WAIT);
    }

    /** The bodies the hub delivered, posted again by a plain client with the same in-flight cap. */
    private ObjectNode raw(Receivers receivers, String path, int inFlight) throws Exception {
        List<String> bodies = receivers.bodies("alone");
        // a client of its own, built as the hub builds its one: HTTP/1.1, keep-alive, redirects not followed
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        Semaphore permits = new Semaphore(inFlight);
        AtomicLong failed = new AtomicLong();
        URI target = URI.create(receivers.url(path));
        for (String body : bodies) {
            permits.acquire();
            plain.sendAsync(HttpRequest.newBuilder(target).header("Content-Type", "application/cloudevents+json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> {
                        if (error != null || response.statusCode() / 100 != 2) {
                            failed.incrementAndGet();
                        }
                        permits.release();
                    });
        }
        ObjectNode result = receivers.await(path, bodies.size());
        result.put("in_flight", inFlight);
        result.put("errors", failed.get());
        return result;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Receivers on loopback: fast ones answer 204 at once, /hang never answers. A Vert.x server (event loops,
     * no thread per request), so the receiver is not what limits either the hub or the raw baseline.
     */
    private static final class Receivers implements AutoCloseable {

        private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1));
        private final HttpServer server;
        private final Map<String, Map<String, Long>> firstArrival = new ConcurrentHashMap<>();
        private final Map<String, Map<String, String>> bodies = new ConcurrentHashMap<>();
        private final AtomicLong anonymous = new AtomicLong();

        Receivers() throws Exception {
            server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                            .setAcceptBacklog(1024))
                    .requestHandler(request -> request.body().onSuccess(body -> handle(request, body)))
                    .listen().toCompletionStage().toCompletableFuture().get();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.actualPort() + "/" + path;
        }

        private void handle(HttpServerRequest request, Buffer body) {
            String path = request.path().substring(1);
            long now = System.nanoTime();
            String id = request.getHeader("webhook-id");
            String key = id != null ? id : "raw-" + anonymous.incrementAndGet();
            firstArrival.computeIfAbsent(path, p -> new ConcurrentHashMap<>()).putIfAbsent(key, now);
            if (path.equals("alone")) {
                bodies.computeIfAbsent(path, p -> new ConcurrentHashMap<>())
                        .putIfAbsent(key, body.toString(StandardCharsets.UTF_8));
            }
            if (!path.equals("hang")) { // /hang keeps the request open until the receivers close
                request.response().setStatusCode(204).end();
            }
        }

        long count(String path) {
            return firstArrival.getOrDefault(path, Map.of()).size();
        }

        List<String> bodies(String path) {
            return List.copyOf(bodies.getOrDefault(path, Map.of()).values());
        }

        /** Waits for {@code expected} distinct requests at {@code path}; the rate from first to last arrival. */
        ObjectNode await(String path, long expected) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            long seen = 0;
            long lastChange = System.nanoTime();
            while (seen < expected && System.nanoTime() < deadline
                    && System.nanoTime() - lastChange < Main.STALL_CUTOFF_S * 1_000_000_000L) {
                Thread.sleep(50);
                long now = count(path);
                if (now != seen) {
                    lastChange = System.nanoTime();
                    seen = now;
                }
            }
            ObjectNode result = Main.JSON.createObjectNode();
            Map<String, Long> arrivals = firstArrival.getOrDefault(path, Map.of());
            long first = arrivals.values().stream().mapToLong(Long::longValue).min().orElse(0);
            long last = arrivals.values().stream().mapToLong(Long::longValue).max().orElse(0);
            double elapsed = (last - first) / 1e9;
            result.put("expected", expected);
            result.put("received", arrivals.size());
            result.put("elapsed_s", Stats.round(elapsed, 3));
            result.put("per_s", elapsed > 0 ? Stats.round(arrivals.size() / elapsed, 1) : 0);
            return result;
        }

        @Override
        public void close() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
