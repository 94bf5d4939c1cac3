package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.bench.FaultProxy.Fault;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Soak: a hub whose PostgreSQL, Kafka and RabbitMQ sit behind {@link FaultProxy}s, with both bridges on, under
 * steady writers (customers created, then renamed: several versions per aggregate), while faults follow each
 * other (each engine cut, blackholed or delayed), each for some seconds with calm between, and a webhook
 * receiver fails half its calls throughout. Then the outbox drains and the invariants are checked against the
 * database: every accepted command kept, nothing of a refused one kept or published; and per sink (Kafka
 * read_committed, the RabbitMQ queue, the webhook receiver, {@link SinkCheck}) every event arrived, no phantom,
 * each aggregate's versions first seen in order. Started before the hub: the hub's options go to --ports-file.
 */
final class Soak {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** A sink that received nothing for this long is done: what it lacks then is lost. */
    private static final Duration SINK_STALL = Duration.ofSeconds(60);

    private final List<String> hubUrls;
    /** Recently accepted aggregates, renamed by other writers through other instances (several instances only). */
    private final List<String> recent = new ArrayList<>();
    /** Clients' view of each phase: answers by status (503 with or without Retry-After), refused connections. */
    private final Map<String, Map<String, AtomicInteger>> answers = new ConcurrentHashMap<>();
    private volatile String phase = "faults";
    private final Map<String, String> acceptedEmails = new ConcurrentHashMap<>();
    private final Set<String> acceptedEvents = ConcurrentHashMap.newKeySet();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger unknown = new AtomicInteger();

    private Soak(List<String> hubUrls) {
        this.hubUrls = hubUrls;
    }

    static void run(Args args) throws Exception {
        String dbUrl = args.require("db-url"); // direct, with currentSchema: the checker reads past the proxy
        URI db = URI.create(dbUrl.substring("jdbc:".length()));
        int kafkaPort = freePort();
        int instanceCount = args.getInt("instances", 1);
        int violations;
        SoakRabbit rabbit = SoakRabbit.open(args.get("amqp-url", "amqp://guest:guest@127.0.0.1:5672"),
                "herald.soak." + UUID.randomUUID().toString().substring(0, 8));
        Path work = Path.of(args.require("work"));
        Duration lease = Duration.ofMillis(args.getInt("lease-ms", 20000));
        try (FaultProxy postgres = new FaultProxy("postgresql", db.getHost(), db.getPort());
                FaultProxy kafka = new FaultProxy("kafka", "127.0.0.1", kafkaPort);
                SoakWebhooks webhooks = new SoakWebhooks();
                AutoCloseable rabbitSink = rabbit != null ? rabbit : () -> { };
                SoakInstances hubs = instanceCount > 1 ? new SoakInstances(Path.of(args.require("hub-home")),
                        Files.readAllLines(Path.of(args.require("hub-args-file"))), instanceCount,
                        args.getInt("base-port", 8080), work) : null) {
            List<String> hubOptions = new ArrayList<>(List.of(
                    "-Dherald.db.url=" + dbUrl.replace(db.getHost() + ":" + db.getPort(), "127.0.0.1:" + postgres.port())));
            if (hubs == null) { // the hub's own embedded Kafka behind the proxy
                hubOptions.addAll(List.of("-Dherald.kafka.embedded-port=" + kafkaPort,
                        "-Dherald.kafka.embedded-advertised-port=" + kafka.port()));
            } else { // a broker of its own, which outlives every hub; shorter leases, so a takeover fits the run
                // one webhook secret key for all: an endpoint's signing secret, encrypted by the instance that took
                // it, is read by whichever instance sends (a key generated per instance would not be)
                byte[] key = new byte[32];
                new java.security.SecureRandom().nextBytes(key);
                hubOptions.addAll(List.of("-Dherald.kafka.brokers=127.0.0.1:" + kafka.port(),
                        "-Dherald.relay.lease=" + lease.toMillis(), "-Dherald.webhooks.lease=" + lease.toMillis(),
                        "-Dherald.webhooks.secret-key=" + java.util.Base64.getEncoder().encodeToString(key)));
            }
            hubOptions.addAll(SoakWebhooks.hubOptions());
            if (rabbit != null) {
                hubOptions.addAll(rabbit.hubOptions(work));
            }
            List<String> urls;
            if (hubs == null) {
                writePorts(Path.of(args.require("ports-file")), hubOptions);
                urls = List.of(args.require("hub-url"));
            } else {
                hubs.options(hubOptions);
                hubs.startKafka(work.resolve("kafka"), kafkaPort, kafka.port(), Boolean.parseBoolean(args.get("durable", "true")),
                        work.resolve("kafka.log"));
                for (int i = 0; i < instanceCount; i++) { // one after the other: the first migrates the schema
                    long started = System.nanoTime();
                    hubs.start(i);
                    Main.log("soak: " + hubs.hubs().get(i).id() + " ready in "
                            + hubs.awaitReady(i, started, Duration.ofSeconds(240)) + " ms");
                }
                urls = hubs.urls();
            }
            Soak soak = new Soak(urls);
            soak.awaitHub(Duration.ofSeconds(180));
            webhooks.register(urls.get(0), HTTP);
            ObjectNode report = Main.JSON.createObjectNode();
            report.put("scenario", "soak");
            report.put("minutes", args.getDouble("minutes", 5));
            report.putArray("sinks").add("postgresql").add("kafka").add("webhooks");
            if (rabbit != null) {
                ((ArrayNode) report.get("sinks")).add("rabbitmq");
            }
            ArrayNode faults = report.putArray("faults");
            long faultMs = (long) (args.getDouble("fault-seconds", 10) * 1000);
            long calmMs = (long) (args.getDouble("calm-seconds", 10) * 1000);
            long end = System.nanoTime() + (long) (args.getDouble("minutes", 5) * 60e9);

            ExecutorService writers = soak.startWriters(args.getInt("writers", 8));
            List<Step> plan = plan(postgres, kafka, rabbit);
            for (int i = 0; System.nanoTime() + (calmMs + faultMs) * 1_000_000 < end; i++) {
                Thread.sleep(calmMs);
                Step step = plan.get(i % plan.size());
                Main.log("soak: " + step + " for " + faultMs + " ms (" + soak.progress() + ")");
                step.proxy.inject(step.fault, step.delayMs);
                Thread.sleep(faultMs);
                step.proxy.heal();
                faults.addObject().put("proxy", step.proxy.name()).put("fault", step.toString())
                        .put("seconds", faultMs / 1000.0);
            }
            Thread.sleep(calmMs);
            List<String> restartViolations = new ArrayList<>();
            SoakRestarts restarts = null;
            if (hubs != null) {
                restarts = new SoakRestarts(hubs, dbUrl, args.get("db-user", "postgres"), args.get("db-password", ""),
                        "127.0.0.1:" + kafka.port(), rabbit != null ? List.of("herald-webhooks", "herald-rabbitmq")
                                : List.of("herald-webhooks"));
                report.put("instances", instanceCount).put("lease_ms", lease.toMillis());
                try {
                    soak.phase = "kill";
                    // inside a Kafka delay, so the instance is killed with publishing in flight (its sync lanes
                    // hold events until Kafka answers): there is something to take over
                    kafka.inject(Fault.DELAY, 200);
                    Thread.sleep(3000);
                    Main.log("soak: killing " + hubs.hubs().get(1).id() + " with SIGKILL, Kafka delayed ("
                            + soak.progress() + ")");
                    report.set("kill", restarts.killAndTakeOver(1, lease.plusSeconds(120), kafka::heal,
                            restartViolations));
                    Thread.sleep(calmMs);
                    soak.phase = "rolling";
                    Main.log("soak: rolling restart of every instance (" + soak.progress() + ")");
                    report.set("rolling_restart", restarts.rollingRestart(Duration.ofSeconds(60), restartViolations));
                } catch (Exception e) { // a hub that does not come back is a finding: the checks still run
                    Main.log("soak: restarts failed: " + e.getMessage());
                    restartViolations.add("restarts: " + e.getMessage());
                    kafka.heal();
                }
                soak.phase = "after";
                Thread.sleep(calmMs);
            }
            writers.shutdownNow();
            writers.awaitTermination(60, TimeUnit.SECONDS);
            Main.log("soak: load stopped (" + soak.progress() + "); waiting for the outbox to drain");
            soak.check(dbUrl, args.get("db-user", "postgres"), args.get("db-password", ""),
                    "127.0.0.1:" + kafka.port(), rabbit, webhooks, report, restarts, restartViolations);
            Path out = Path.of(args.require("out"));
            Files.writeString(out, Main.JSON.writeValueAsString(report));
            Files.writeString(Path.of(out.toString().replaceFirst("\\.json$", "") + ".md"), markdown(report));
            Main.log("soak: " + report.get("summary").asText());
            violations = report.get("violations").asInt();
        }
        if (violations > 0) { // after the proxies closed and the run's RabbitMQ queue and exchanges were deleted
            System.exit(1);
        }
    }

    /** Each engine cut, blackholed and delayed in turn; the webhook receiver fails half its calls throughout. */
    private static List<Step> plan(FaultProxy postgres, FaultProxy kafka, SoakRabbit rabbit) {
        List<Step> plan = new ArrayList<>(List.of(new Step(postgres, Fault.CUT, 0), new Step(kafka, Fault.BLACKHOLE, 0),
                new Step(kafka, Fault.CUT, 0), new Step(kafka, Fault.DELAY, 200), new Step(postgres, Fault.DELAY, 50)));
        if (rabbit != null) {
            plan.add(2, new Step(rabbit.proxy(), Fault.BLACKHOLE, 0));
            plan.add(4, new Step(rabbit.proxy(), Fault.CUT, 0));
        }
        return plan;
    }

    private record Step(FaultProxy proxy, Fault fault, long delayMs) {
        @Override
        public String toString() {
            return fault.name().toLowerCase() + " " + proxy.name() + (delayMs > 0 ? " +" + delayMs + " ms" : "");
        }
    }

    private String progress() {
        return sent.get() + " sent, " + acceptedEvents.size() + " accepted, " + refused.size() + " refused";
    }

    // --- load --------------------------------------------------------------------------------------------

    private ExecutorService startWriters(int count) {
        // daemons: a soak that fails half-way still exits
        ExecutorService threads = Executors.newFixedThreadPool(count, task -> {
            Thread thread = new Thread(task, "soak-writer");
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < count; i++) {
            threads.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    writeOne();
                }
            });
        }
        return threads;
    }

    /** A customer, then two renames of it; every name and email unique, so the checker can find them. */
    private void writeOne() {
        String email = "soak-" + UUID.randomUUID() + "@example.com";
        JsonNode created = command("POST", "/api/customers",
                "{\"full_name\":\"Soak\",\"email\":\"" + email + "\"}", email);
        if (created == null) {
            return;
        }
        String id = created.get("aggregate_id").asText();
        acceptedEmails.put(email, id);
        for (int i = 0; i < 2 && !Thread.currentThread().isInterrupted(); i++) {
            String name = "Soak " + UUID.randomUUID();
            command("PUT", "/api/customers/" + id, "{\"full_name\":\"" + name + "\"}", name);
        }
        if (hubUrls.size() > 1) {
            // an aggregate another writer made, renamed through whichever instance: the instances race on the
            // same aggregates (a lost race is a 409, refused and never kept)
            String other;
            synchronized (recent) {
                recent.add(id);
                if (recent.size() > 64) {
                    recent.remove(0);
                }
                other = recent.get(ThreadLocalRandom.current().nextInt(recent.size()));
            }
            String name = "Soak " + UUID.randomUUID();
            command("PUT", "/api/customers/" + other, "{\"full_name\":\"" + name + "\"}", name);
        }
    }

    /** Each command to an instance picked at random, as a load balancer without affinity would. */
    private JsonNode command(String method, String path, String body, String marker) {
        sent.incrementAndGet();
        String hubUrl = hubUrls.get(ThreadLocalRandom.current().nextInt(hubUrls.size()));
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(hubUrl + path))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            seen(answer.statusCode() == 503 && answer.headers().firstValue("Retry-After").isEmpty()
                    ? "503 without Retry-After" : String.valueOf(answer.statusCode()));
            JsonNode json = Main.JSON.readTree(answer.body());
            if (answer.statusCode() == 201 || answer.statusCode() == 202) {
                acceptedEvents.add(json.at("/event/id").asText());
                return json;
            }
            if (json.path("type").asText().endsWith(":outcome-unknown")) {
                unknown.incrementAndGet();
            } else {
                refused.add(marker);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unknown.incrementAndGet();
        } catch (java.net.ConnectException e) {
            seen("connection refused"); // nothing was sent: nothing to check
        } catch (Exception e) {
            seen("no answer");
            unknown.incrementAndGet(); // no answer: the outcome is unknown to the client
        }
        return null;
    }

    private void seen(String answer) {
        answers.computeIfAbsent(phase, p -> new ConcurrentHashMap<>())
                .computeIfAbsent(answer, a -> new AtomicInteger()).incrementAndGet();
    }

    private void awaitHub(Duration patience) throws InterruptedException {
        long end = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(hubUrls.get(0) + "/observe/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (Exception e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the hub was not ready within " + patience);
    }

    // --- invariants ---------------------------------------------------------------------------------------

    private void check(String dbUrl, String user, String password, String brokers, SoakRabbit rabbit,
            SoakWebhooks webhooks, ObjectNode report, SoakRestarts restarts, List<String> restartViolations)
            throws Exception {
        List<String> violations = new ArrayList<>(restartViolations);
        Map<String, SinkCheck.Event> events = new HashMap<>();
        Set<String> topics = new HashSet<>();
        try (Connection db = DriverManager.getConnection(dbUrl, user, password)) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (count(db, "SELECT count(*) FROM events WHERE published_at IS NULL AND dead_lettered_at IS NULL")
                    > 0 && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            for (String email : acceptedEmails.keySet()) {
                if (count(db, "SELECT count(*) FROM customers WHERE email = ?", email) != 1) {
                    violations.add("accepted " + email + " is not in the database");
                }
            }
            for (String event : acceptedEvents) {
                if (count(db, "SELECT count(*) FROM events WHERE event_id::text = ?", event) != 1) {
                    violations.add("accepted event " + event + " is not in the database");
                }
            }
            for (String marker : refused) {
                if (count(db, "SELECT count(*) FROM customers WHERE email = ? OR full_name = ?", marker, marker)
                        + count(db, "SELECT count(*) FROM events WHERE strpos(envelope, ?) > 0", marker) > 0) {
                    violations.add("refused " + marker + " was kept");
                }
            }
            try (PreparedStatement all = db.prepareStatement(
                    "SELECT event_id, aggregate_type || '/' || aggregate_id, aggregate_version, topic FROM events");
                    ResultSet rows = all.executeQuery()) {
                while (rows.next()) {
                    events.put(rows.getString(1), new SinkCheck.Event(rows.getString(2), rows.getInt(3)));
                    topics.add(rows.getString(4));
                }
            }
        }
        ObjectNode figures = report.putObject("figures");
        ObjectNode sinks = Main.JSON.createObjectNode();
        SinkCheck kafka = new SinkCheck("kafka", events, violations);
        checkKafka(brokers, topics, kafka, violations);
        kafka.finish(sinks);
        Main.log("soak: kafka checked; the webhook receiver next");
        SinkCheck receiver = new SinkCheck("webhooks", events, violations);
        webhooks.check(receiver, SINK_STALL, violations);
        receiver.finish(sinks);
        sinks.with("webhooks").put("calls", webhooks.calls()).put("failed_on_purpose", webhooks.failedOnPurpose());
        if (rabbit != null) {
            Main.log("soak: the RabbitMQ queue next");
            SinkCheck queue = new SinkCheck("rabbitmq", events, violations);
            rabbit.check(queue, SINK_STALL);
            queue.finish(sinks);
        }
        if (restarts != null) {
            fanOutOnce(dbUrl, user, password, restarts, events.size(), report, violations);
        }
        clientsView(report, violations);
        figures.put("commands_sent", sent.get()).put("accepted", acceptedEvents.size())
                .put("refused", refused.size()).put("outcome_unknown", unknown.get())
                .put("faults_injected", report.get("faults").size()).put("events_checked", events.size());
        report.set("sinks_received", sinks);
        report.put("violations", violations.size());
        violations.stream().limit(50).forEach(report.putArray("violation_samples")::add);
        StringBuilder perSink = new StringBuilder();
        sinks.fields().forEachRemaining(f -> perSink.append(", ").append(f.getKey()).append(' ')
                .append(f.getValue().get("distinct").asLong()).append(" (+")
                .append(f.getValue().get("redeliveries").asLong()).append(" redelivered)"));
        report.put("summary", sent.get() + " commands sent, " + acceptedEvents.size() + " accepted, "
                + refused.size() + " refused, " + unknown.get() + " unknown; " + report.get("faults").size()
                + " faults injected; " + events.size() + " events checked in each sink" + perSink + "; "
                + violations.size() + " violations");
    }

    /**
     * Several instances: each (endpoint, event) has one delivery row, hence one webhook-id, whichever instances
     * fanned it out or sent it (a second 2xx of an event is a retry of that id, counted as a redelivery); and the
     * records the instances' fan-out read add up to about one per event, not one per event and instance.
     */
    private static void fanOutOnce(String dbUrl, String user, String password, SoakRestarts restarts, int events,
            ObjectNode report, List<String> violations) throws SQLException {
        ObjectNode fanOut = report.putObject("fan_out");
        try (Connection db = DriverManager.getConnection(dbUrl, user, password)) {
            long rows = count(db, "SELECT count(*) FROM webhook_deliveries");
            long distinct = count(db, "SELECT count(DISTINCT (endpoint_id, event_id)) FROM webhook_deliveries");
            long without = count(db, "SELECT count(*) FROM events e WHERE NOT EXISTS "
                    + "(SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.event_id)");
            fanOut.put("delivery_rows", rows).put("distinct_endpoint_events", distinct)
                    .put("events_without_a_delivery", without);
            if (rows != distinct) {
                violations.add("fan-out: " + (rows - distinct) + " (endpoint, event) pairs have more than one delivery row");
            }
            if (without > 0) {
                violations.add("fan-out: " + without + " events have no delivery row");
            }
        }
        double records = restarts.fanOutRecords();
        fanOut.put("records_read_by_all_instances", (long) records)
                .put("records_read_per_event", events == 0 ? 0 : Math.round(records / events * 1000) / 1000.0);
        if (records >= 2.0 * events) {
            violations.add("fan-out: the instances read " + (long) records + " records for " + events
                    + " events: each event fanned out by several instances");
        }
    }

    /** What clients saw in each phase; in the rolling restart only 503 with Retry-After or a refused connection. */
    private void clientsView(ObjectNode report, List<String> violations) {
        ObjectNode view = report.putObject("clients_view");
        answers.forEach((name, counts) -> {
            ObjectNode byAnswer = view.putObject(name);
            counts.forEach((answer, count) -> byAnswer.put(answer, count.get()));
        });
        answers.getOrDefault("rolling", Map.of()).forEach((answer, count) -> {
            if (answer.startsWith("5") && !answer.equals("503") || answer.equals("no answer")) {
                violations.add("rolling restart: clients saw " + count.get() + " x " + answer);
            }
        });
    }

    /** Reads every topic the events went to until each event was seen or nothing came for the stall cutoff. */
    private void checkKafka(String brokers, Set<String> topics, SinkCheck sink, List<String> violations)
            throws Exception {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "soak-check-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(topics);
            long lastChange = System.nanoTime();
            while (!sink.complete() && System.nanoTime() - lastChange < SINK_STALL.toNanos()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    lastChange = System.nanoTime();
                    sink.receive(Main.JSON.readTree(record.value()).path("id").asText());
                    for (String marker : refused) {
                        if (record.value().contains(marker)) {
                            violations.add("refused " + marker + " was published");
                        }
                    }
                }
            }
        }
    }

    private static long count(Connection db, String sql, String... parameters) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    // --- plumbing -----------------------------------------------------------------------------------------

    /** For bench/run to source: the hub's options (proxied engines, bridges on), as a bash array. */
    private static void writePorts(Path file, List<String> hubOptions) throws Exception {
        Path partial = Path.of(file + ".partial");
        StringBuilder bash = new StringBuilder("SOAK_HUB_ARGS=(");
        hubOptions.forEach(option -> bash.append(" '").append(option.replace("'", "'\\''")).append('\''));
        Files.writeString(partial, bash.append(" )\n").toString(), StandardCharsets.UTF_8);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    }

    static int freePort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String ms(JsonNode value) {
        return value == null || value.isNull() ? "(nothing held)" : value.asLong() + " ms";
    }

    private static String markdown(ObjectNode report) {
        StringBuilder md = new StringBuilder("# Soak: faults under steady load\n\n");
        md.append(report.get("summary").asText()).append("\n\n| figure | value |\n|---|---|\n");
        report.get("figures").fields().forEachRemaining(f -> md.append("| ").append(f.getKey()).append(" | ")
                .append(f.getValue().asText()).append(" |\n"));
        md.append("| violations | ").append(report.get("violations").asInt()).append(" |\n\n")
                .append("| sink | distinct events | redeliveries | missing | calls (webhooks: half failed on purpose) |\n")
                .append("|---|---|---|---|---|\n");
        report.get("sinks_received").fields().forEachRemaining(f -> md.append("| ").append(f.getKey()).append(" | ")
                .append(f.getValue().get("distinct").asText()).append(" | ")
                .append(f.getValue().get("redeliveries").asText()).append(" | ")
                .append(f.getValue().get("missing").asText()).append(" | ")
                .append(f.getValue().path("calls").asText("-")).append(" |\n"));
        md.append("\nFaults, in order:\n\n");
        report.get("faults").forEach(f -> md.append("- ").append(f.get("fault").asText()).append(", ")
                .append(f.get("seconds").asText()).append(" s\n"));
        if (report.has("kill") && report.has("rolling_restart")) { // several instances, both restarts done
            JsonNode kill = report.get("kill");
            md.append("\n").append(report.get("instances").asInt()).append(" instances on one database and one Kafka "
                    + "(a broker of its own), relay and webhook leases ").append(report.get("lease_ms").asLong())
                    .append(" ms.\n\nSIGKILL of ").append(kill.get("instance").asText()).append(": it held ")
                    .append(kill.get("events_held").asInt()).append(" unpublished events and ")
                    .append(kill.get("deliveries_held").asInt()).append(" webhook deliveries; the others published "
                    + "those events ").append(ms(kill.get("events_taken_over_ms"))).append(" and took the deliveries ")
                    .append(ms(kill.get("deliveries_taken_over_ms"))).append(" after the kill; ");
            kill.get("group_rebalanced_ms").fields().forEachRemaining(g -> md.append("group ").append(g.getKey())
                    .append(" rebalanced without it ").append(ms(g.getValue())).append(" after; "));
            md.append("restarted, ready in ").append(kill.get("restart_ready_ms").asLong()).append(" ms.\n\n")
                    .append("| rolling restart | exit code | stopped after SIGTERM, ms | ready after start, ms |\n")
                    .append("|---|---|---|---|\n");
            report.get("rolling_restart").forEach(r -> md.append("| ").append(r.get("instance").asText()).append(" | ")
                    .append(r.get("exit_code").asInt()).append(" | ").append(r.get("stop_ms").asLong()).append(" | ")
                    .append(r.get("ready_ms").asLong()).append(" |\n"));
            JsonNode fanOut = report.get("fan_out");
            md.append("\nFan-out: ").append(fanOut.get("delivery_rows").asLong()).append(" delivery rows for ")
                    .append(fanOut.get("distinct_endpoint_events").asLong()).append(" (endpoint, event) pairs, ")
                    .append(fanOut.get("events_without_a_delivery").asLong()).append(" events without one; the "
                    + "instances' fan-out read ").append(fanOut.get("records_read_by_all_instances").asLong())
                    .append(" records (").append(fanOut.get("records_read_per_event").asText()).append(" per event).\n");
        }
        md.append("\nClients' answers by phase:\n\n");
        report.get("clients_view").fields().forEachRemaining(p -> md.append("- ").append(p.getKey()).append(": ")
                .append(p.getValue().toString()).append('\n'));
        report.path("violation_samples").forEach(v -> md.append("\nviolation: ").append(v.asText()));
        return md.append('\n').toString();
    }
}
