package dev.herald.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The soak's webhook sink: a receiver on loopback that fails half its calls at random (500) and keeps, in
 * arrival order, the webhook-id of every call it answered 2xx, after checking its Standard Webhooks signature.
 * The hub retries on a short schedule (25 attempts), so a delivery that fails every time is a one in 30 million.
 */
final class SoakWebhooks implements AutoCloseable {

    /** Waits before each attempt, ms: short, so the soak ends; many, so a coin-flipping receiver gets everything. */
    private static final String RETRY_SCHEDULE = "0,100,200,400,800" + ",1000".repeat(20);

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(16);
    private final List<String> acknowledged = new ArrayList<>();
    private final List<String> badSignatures = new ArrayList<>();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile byte[] secret;

    SoakWebhooks() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.createContext("/soak", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    static List<String> hubOptions() {
        return List.of("-Dherald.webhooks.enabled=true", "-Dherald.webhooks.allow-private-networks=true",
                "-Dherald.webhooks.retry-schedule=" + RETRY_SCHEDULE);
    }

    /** Declares the receiver as an endpoint for every customer event, before any is written. */
    void register(String hubUrl, HttpClient http) throws Exception {
        String whsec = Webhooks.declareEndpoint(http, hubUrl, "{\"url\":\"http://127.0.0.1:"
                + server.getAddress().getPort() + "/soak\",\"event_types\":[\"customer.*\"],\"description\":\"soak\"}")
                .get("secret").asText();
        secret = Base64.getDecoder().decode(whsec.substring("whsec_".length()));
    }

    private void handle(HttpExchange call) throws java.io.IOException {
        try (call) {
            byte[] body = call.getRequestBody().readAllBytes();
            calls.incrementAndGet();
            if (ThreadLocalRandom.current().nextBoolean()) {
                failed.incrementAndGet();
                call.sendResponseHeaders(500, -1);
                return;
            }
            String id = call.getRequestHeaders().getFirst("webhook-id");
            if (!signed(id, call.getRequestHeaders().getFirst("webhook-timestamp"), body,
                    call.getRequestHeaders().getFirst("webhook-signature"))) {
                synchronized (badSignatures) {
                    badSignatures.add(id);
                }
            }
            synchronized (acknowledged) { // before the answer: the hub sends an aggregate's next event after it
                acknowledged.add(id);
            }
            call.sendResponseHeaders(204, -1);
        }
    }

    /** Standard Webhooks: v1 = base64 HMAC-SHA256 of "id.timestamp.body"; any of the space-separated ones. */
    private boolean signed(String id, String timestamp, byte[] body, String signatures) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
            return signatures != null && List.of(signatures.split(" ")).contains(expected);
        } catch (Exception e) {
            return false;
        }
    }

    /** Waits until every event was acknowledged or none came for {@code stall}; then replays them in order. */
    void check(SinkCheck sink, Duration stall, List<String> violations) throws InterruptedException {
        int replayed = 0;
        long lastChange = System.nanoTime();
        while (!sink.complete() && System.nanoTime() - lastChange < stall.toNanos()) {
            List<String> batch;
            synchronized (acknowledged) {
                batch = List.copyOf(acknowledged.subList(replayed, acknowledged.size()));
            }
            batch.forEach(sink::receive);
            replayed += batch.size();
            if (batch.isEmpty()) {
                Thread.sleep(200);
            } else {
                lastChange = System.nanoTime();
            }
        }
        synchronized (badSignatures) {
            badSignatures.forEach(id -> violations.add("webhooks: bad signature on " + id));
        }
    }

    long calls() {
        return calls.get();
    }

    long failedOnPurpose() {
        return failed.get();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
