package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The saga scenario (issue 23): the shipped order-fulfilment saga against a payment and an inventory service that
 * answer at once (Vert.x, in this JVM, on the ports the hub was started with as herald.services.*.url).
 * <ol>
 *   <li>Warm-up: a few orders, each one saga, until they are all completed (not measured).</li>
 *   <li>Herald: N orders placed by a closed loop of clients; completed sagas/s from the first order sent to the
 *       last saga ended, and each order's latency from its POST to its {@code order.confirmed} event (the event's
 *       {@code occurred_at}, same machine clock).</li>
 *   <li>Plain client: the saga type held (its {@code saga_types.active_since} moved to infinity, so the orders of
 *       this phase start none), N more orders placed (not measured), then for each the same three HTTP calls the
 *       saga makes (payment POST, reservation POST, POST /api/orders/{id}/confirm, each with an Idempotency-Key)
 *       with as many orders at once as the hub's saga runner works on.</li>
 * </ol>
 * Ratio: Herald sagas/s ÷ plain orders/s. CPU per 1,000 of each from /proc (bench's Cpu); the services run in this
 * JVM, so they count as load generator.
 */
final class Sagas {

    private static final Duration WAIT = Duration.ofSeconds(300);
    private static final String TYPE = "order-fulfilment";

    private final String hub;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private String customer;

    private Sagas(String hub) {
        this.hub = hub;
    }

    /** An order as placed: its id, its total, when its POST was sent (epoch µs). */
    record Order(String id, double total, long sentMicros) {
    }

    static void session(Args args) throws Exception {
        long pid = args.getLong("hub-pid", -1);
        String jdbcUrl = args.require("jdbc-url");
        int orders = args.getInt("orders", 1_000);
        int warmup = args.getInt("warmup-orders", 200);
        int clients = args.getInt("concurrency", 32);
        int sagasAtOnce = args.getInt("saga-concurrency", 1);
        ObjectNode root = Main.JSON.createObjectNode();
        root.put("scenario", "saga");
        root.put("mode", "saga");
        ObjectNode hubNode = root.putObject("hub");
        hubNode.put("pid", pid);
        hubNode.put("time_to_ready_ms", args.getLong("time-to-ready-ms", -1));
        root.putObject("settings").put("orders", orders).put("warmup_orders", warmup).put("intake_clients", clients)
                .put("saga_concurrency", sagasAtOnce);
        ObjectNode out = root.putObject("sagas");
        out.put("orders", orders);
        out.put("saga_concurrency", sagasAtOnce);
        out.put("intake_clients", clients);
        Cpu cpu = new Cpu(Map.of("hub", pid), Cpu.portOf(jdbcUrl));
        try (Services services = new Services(args.getInt("payment-port", 0), args.getInt("inventory-port", 0));
                RssSampler rss = new RssSampler(pid);
                Connection db = DriverManager.getConnection(jdbcUrl, args.get("db-user", "postgres"),
                        args.get("db-password", ""))) {
            Sagas bench = new Sagas(args.require("hub-url"));
            bench.customer = bench.customer();

            Main.log("saga: warm-up, " + warmup + " orders until their sagas completed (not measured)");
            long before = ended(db);
            bench.place(clients, warmup);
            awaitEnded(db, before + warmup);

            Main.log("saga: " + orders + " orders, " + clients + " clients placing them; the hub's runner works on "
                    + sagasAtOnce + " at once");
            long start = ended(db);
            Cpu.Phase phase = cpu.start();
            List<Order> placed = bench.place(clients, orders);
            long done = awaitEnded(db, start + placed.size()) - start;
            ObjectNode herald = out.putObject("herald");
            phase.end(done, 1_000, herald.putObject("cpu"));
            bench.heraldResult(db, placed, herald);
            herald.put("completed_sagas_at_end", done);
            Main.log("saga:   " + herald);

            Main.log("saga: plain client, " + sagasAtOnce + " orders at once, the same three HTTP calls per order");
            try (Statement sql = db.createStatement()) {
                sql.execute("UPDATE saga_types SET active_since = 'infinity' WHERE saga_type = '" + TYPE + "'");
            }
            List<Order> plainOrders = bench.place(clients, orders);
            phase = cpu.start();
            ObjectNode plain = out.putObject("plain");
            bench.plain(services, plainOrders, sagasAtOnce, plain);
            phase.end(plain.path("ok").asLong(), 1_000, plain.putObject("cpu"));
            Main.log("saga:   " + plain);
            double h = herald.path("sagas_per_s").asDouble();
            double p = plain.path("orders_per_s").asDouble();
            out.put("ratio", p > 0 ? Stats.round(h / p, 3) : 0);
            out.put("payment_requests", services.count("payments"));
            out.put("inventory_requests", services.count("reservations"));
            hubNode.put("rss_max_mb", rss.maxMb());
        }
        Main.JSON.writeValue(new File(args.require("out")), root);
    }

    /** Sagas/s from the first order sent to the last saga ended; order → order.confirmed latencies. */
    private void heraldResult(Connection db, List<Order> placed, ObjectNode out) throws Exception {
        Map<String, Order> byId = new ConcurrentHashMap<>();
        placed.forEach(o -> byId.put(o.id(), o));
        long firstSent = placed.stream().mapToLong(Order::sentMicros).min().orElse(0);
        Histogram latency = new Histogram(Stats.MAX_MICROS, 3);
        long lastEnded = firstSent;
        Map<String, Long> statuses = new java.util.TreeMap<>();
        try (PreparedStatement sagas = db.prepareStatement("""
                SELECT s.correlation_id, s.status, CAST(extract(epoch FROM s.ended_at) * 1e6 AS bigint),
                       CAST(extract(epoch FROM e.occurred_at) * 1e6 AS bigint)
                  FROM sagas s LEFT JOIN events e ON e.aggregate_id = s.correlation_id
                                                 AND e.event_type = 'order.confirmed'
                 WHERE s.saga_type = ?""")) {
            sagas.setString(1, TYPE);
            try (ResultSet row = sagas.executeQuery()) {
                while (row.next()) {
                    Order order = byId.get(row.getString(1));
                    if (order == null) {
                        continue; // a warm-up order
                    }
                    statuses.merge(row.getString(2), 1L, Long::sum);
                    long ended = row.getLong(3);
                    if (!row.wasNull()) {
                        lastEnded = Math.max(lastEnded, ended);
                    }
                    long confirmed = row.getLong(4);
                    if (!row.wasNull()) {
                        latency.recordValue(Math.max(1, Math.min(Stats.MAX_MICROS, confirmed - order.sentMicros())));
                    }
                }
            }
        }
        double seconds = (lastEnded - firstSent) / 1e6;
        long completed = statuses.getOrDefault("completed", 0L);
        out.put("orders_placed", placed.size());
        out.put("completed", completed);
        ObjectNode byStatus = out.putObject("statuses");
        statuses.forEach(byStatus::put);
        out.put("elapsed_s", Stats.round(seconds, 3));
        out.put("sagas_per_s", seconds > 0 ? Stats.round(completed / seconds, 1) : 0);
        out.put("confirmed", latency.getTotalCount());
        out.put("p50_ms", Stats.round(latency.getValueAtPercentile(50) / 1000.0, 3));
        out.put("p99_ms", Stats.round(latency.getValueAtPercentile(99) / 1000.0, 3));
        out.put("max_ms", Stats.round(latency.getMaxValue() / 1000.0, 3));
    }

    /** Each order's three calls, {@code atOnce} orders at a time; latency of the three together. */
    private void plain(Services services, List<Order> orders, int atOnce, ObjectNode out) throws Exception {
        Stats stats = new Stats();
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < atOnce; c++) {
            Thread t = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < orders.size(); i = next.getAndIncrement()) {
                    Order order = orders.get(i);
                    long t0 = System.nanoTime();
                    try {
                        String key = "plain-" + order.id();
                        expect2xx(post(services.url("payments"), key + "-payment-action",
                                "{\"order_id\": \"" + order.id() + "\", \"amount\": " + order.total() + "}"));
                        expect2xx(post(services.url("reservations"), key + "-inventory-action",
                                "{\"order_id\": \"" + order.id() + "\", \"items\": " + items(order.total()) + "}"));
                        expect2xx(post(hub + "/api/orders/" + order.id() + "/confirm", key + "-completed-command",
                                "{}"));
                        stats.success("200", System.nanoTime() - t0);
                    } catch (Exception e) {
                        stats.failure(e.getClass().getSimpleName(), e.getMessage());
                    }
                }
            }, "plain-saga-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        stats.toJson(out, (System.nanoTime() - start) / 1e9, "orders_per_s");
        out.put("at_once", atOnce);
    }

    private HttpResponse<String> post(String url, String key, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect2xx(HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(response.uri().getPath() + " answered " + response.statusCode() + " "
                    + response.body());
        }
    }

    private static String items(double price) {
        return "[{\"product_id\": \"book\", \"quantity\": 1, \"unit_price\": " + price + "}]";
    }

    private String customer() throws Exception {
        HttpResponse<String> created = post(hub + "/api/customers", "bench-saga-customer-" + runId,
                "{\"full_name\": \"Saga Bench\", \"email\": \"saga-" + runId + "@example.com\"}");
        expect2xx(created);
        return Main.JSON.readTree(created.body()).path("aggregate_id").asText();
    }

    /** {@code total} orders by a closed loop of {@code clients}; those the hub accepted, with their send times. */
    private List<Order> place(int clients, int total) throws Exception {
        List<Order> placed = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong remaining = new AtomicLong(total);
        AtomicLong failed = new AtomicLong();
        AtomicInteger sequence = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                while (remaining.getAndDecrement() > 0) {
                    double price = 10 + sequence.incrementAndGet() % 90;
                    long sent = micros(Instant.now());
                    try {
                        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                                URI.create(hub + "/api/orders")).timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"customer_id\": \"" + customer
                                        + "\", \"items\": " + items(price) + "}")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        expect2xx(response);
                        JsonNode answer = Main.JSON.readTree(response.body());
                        placed.add(new Order(answer.path("aggregate_id").asText(), price, sent));
                    } catch (Exception e) {
                        if (failed.incrementAndGet() == 1) {
                            Main.log("saga: an order was not placed: " + e.getMessage());
                        }
                    }
                }
            }, "order-client-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (placed.isEmpty()) {
            throw new IllegalStateException("no order was placed");
        }
        return new ArrayList<>(placed);
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    /** Sagas of the type that have ended (any status). */
    private static long ended(Connection db) throws Exception {
        try (Statement sql = db.createStatement(); ResultSet row = sql.executeQuery(
                "SELECT count(*) FROM sagas WHERE saga_type = '" + TYPE + "' AND ended_at IS NOT NULL")) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Until {@code expected} sagas ended, or nothing ended for the stall cut-off, or WAIT passed; the count. */
    private static long awaitEnded(Connection db, long expected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long seen = ended(db);
        long lastChange = System.nanoTime();
        while (seen < expected && System.nanoTime() < deadline
                && System.nanoTime() - lastChange < Main.STALL_CUTOFF_S * 3 * 1_000_000_000L) {
            Thread.sleep(50);
            long now = ended(db);
            if (now != seen) {
                seen = now;
                lastChange = System.nanoTime();
            }
        }
        if (seen < expected) {
            Main.log("saga: only " + seen + " of " + expected + " sagas ended");
        }
        return seen;
    }

    /**
     * The payment and inventory services, answering at once: 201 with a new payment or reservation id (refunds and
     * releases 200). Vert.x event loops, so the services are not what limits the hub or the plain client.
     */
    private static final class Services implements AutoCloseable {

        private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1));
        private final HttpServer payment;
        private final HttpServer inventory;
        private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
        private final AtomicLong ids = new AtomicLong();

        Services(int paymentPort, int inventoryPort) throws Exception {
            payment = listen(paymentPort);
            inventory = listen(inventoryPort);
        }

        private HttpServer listen(int port) throws Exception {
            return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
                            .setAcceptBacklog(1024))
                    .requestHandler(request -> request.body().onSuccess(body -> handle(request)))
                    .listen().toCompletionStage().toCompletableFuture().get();
        }

        String url(String path) {
            return "http://127.0.0.1:" + (path.equals("payments") ? payment : inventory).actualPort() + "/" + path;
        }

        long count(String path) {
            return counts.getOrDefault(path, new AtomicLong()).get();
        }

        private void handle(HttpServerRequest request) {
            String path = request.path();
            String first = path.split("/").length > 1 ? path.split("/")[1] : "";
            counts.computeIfAbsent(first, p -> new AtomicLong()).incrementAndGet();
            long id = ids.incrementAndGet();
            String answer;
            int status = 201;
            if (request.method().name().equals("POST") && path.equals("/payments")) {
                answer = "{\"payment_id\": \"pay-" + id + "\", \"status\": \"charged\"}";
            } else if (request.method().name().equals("POST") && path.equals("/reservations")) {
                answer = "{\"reservation_id\": \"res-" + id + "\"}";
            } else {
                status = 200;
                answer = "{}";
            }
            request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(answer);
        }

        @Override
        public void close() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
