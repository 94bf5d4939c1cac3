package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * The timetravel scenario (issue 22, state at time T): {@code GET /api/customers/{id}?as_of=} of one customer with
 * N events, on two hubs over the same store, one after the other: first without snapshots
 * ({@code herald.eventsourcing.snapshot-every=0}: every read folds from version 1), then with them (the shipped
 * setting: a read folds from the newest snapshot at or before its time). Each phase: sequential reads at the newest
 * event's time and at random events' times (latency), then a closed loop of a few clients at random times (reads/s),
 * and how many events the reads folded (the hub's Herald-Events-Folded header).
 * <pre>
 *   timetravel --phase full --hub-url URL --jdbc-url URL --events N --reads R --id-file F --out FILE
 *   timetravel --phase snapshots --hub-url URL --jdbc-url URL --id-file F --before FULL.json --snapshot-every K --out FILE
 * </pre>
 */
final class TimeTravel {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private TimeTravel() {
    }

    static void run(Args args) throws Exception {
        String phase = args.require("phase");
        String hub = args.require("hub-url");
        Path idFile = Path.of(args.require("id-file"));
        int reads = args.getInt("reads", 200);
        try (Connection db = DriverManager.getConnection(args.require("jdbc-url"), args.get("db-user", "postgres"),
                args.get("db-password", ""))) {
            if (phase.equals("full")) {
                Files.writeString(idFile, fill(hub, db, args.getInt("events", 10_000)));
            }
            String id = Files.readString(idFile).strip();
            Reader reader = new Reader(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), hub, id,
                    times(db, id));
            int every = phase.equals("full") ? 0 : args.getInt("snapshot-every", 100);
            Main.log("timetravel (" + phase + "): customer " + id + ", " + (reader.times.size() - 1)
                    + " events, snapshots every " + (every == 0 ? "- (none)" : every));
            reader.warmUp(Math.max(20, reads / 4));
            if (every > 0) {
                awaitSnapshots(db, id, (reader.times.size() - 1) / every);
            }
            ObjectNode measured = Main.JSON.createObjectNode();
            measured.put("snapshot_every", every);
            measured.set("latest", reader.sequential(reads, true));
            measured.set("random", reader.sequential(reads, false));
            measured.set("throughput", reader.closedLoop(args.getInt("concurrency", 4), args.getDouble("duration", 10)));
            print(phase, measured);
            ObjectNode root = Main.JSON.createObjectNode();
            if (phase.equals("full")) {
                root.set("full", measured);
            } else {
                root.put("scenario", "timetravel");
                ObjectNode result = root.putObject("timetravel");
                result.put("events", reader.times.size() - 1);
                result.set("full", Main.JSON.readTree(new File(args.require("before"))).path("full"));
                result.set("snapshots", measured);
            }
            Main.JSON.writeValue(new File(args.require("out")), root);
        }
    }

    /** One customer through the API, then versions 2..events as customer.updated rows shaped as the hub writes them. */
    private static String fill(String hub, Connection db, int events) throws Exception {
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(hub
                + "/api/customers")).header("content-type", "application/json").timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString("{\"full_name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("creating the customer answered " + created.statusCode() + " " + created.body());
        }
        String id = Main.JSON.readTree(created.body()).path("aggregate_id").asText();
        Main.log("timetravel: writing " + (events - 1) + " customer.updated events for " + id);
        try (PreparedStatement insert = db.prepareStatement("""
                INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                    schema_version, topic, command_id, envelope, occurred_at, published_at)
                SELECT e.event_id, 'customer', CAST(? AS text), v, 'customer.updated', 1, 'customers', gen_random_uuid(),
                       jsonb_build_object('specversion', '1.0', 'id', e.event_id, 'source', '/herald',
                           'type', 'customer.updated', 'subject', CAST(? AS text), 'time', t, 'datacontenttype',
                           'application/json', 'dataschema', 'urn:herald:schema:customer.updated:v1',
                           'partitionkey', CAST(? AS text), 'aggregatetype', 'customer', 'aggregateversion', v,
                           'data', jsonb_build_object('email', 'ada' || v || '@example.com')
                                   || CASE WHEN v % 10 = 0 THEN jsonb_build_object('full_name', 'Ada ' || v)
                                           ELSE '{}' END)::text,
                       t, t
                  FROM generate_series(2, ?) AS v,
                       LATERAL (SELECT gen_random_uuid() AS event_id,
                                       clock_timestamp() + v * interval '1 millisecond' AS t) AS e""")) {
            insert.setString(1, id);
            insert.setString(2, id);
            insert.setString(3, id);
            insert.setInt(4, events);
            insert.executeUpdate();
        }
        try (PreparedStatement analyze = db.prepareStatement("ANALYZE events")) {
            analyze.execute();
        }
        return id;
    }

    /** Each version's time, index = version (0 unused). */
    private static List<Instant> times(Connection db, String id) throws Exception {
        List<Instant> times = new ArrayList<>();
        times.add(Instant.EPOCH);
        try (PreparedStatement select = db.prepareStatement("""
                SELECT occurred_at FROM events WHERE aggregate_type = 'customer' AND aggregate_id = ?
                 ORDER BY aggregate_version""")) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    times.add(rows.getTimestamp(1).toInstant());
                }
            }
        }
        return times;
    }

    /** The snapshots the warm-up's reads took are written after they answered: wait for them (at most 60 s). */
    private static void awaitSnapshots(Connection db, String id, int expected) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        long count = 0;
        while (System.nanoTime() < deadline) {
            try (PreparedStatement select = db.prepareStatement(
                    "SELECT count(*) FROM state_snapshots WHERE aggregate_type = 'customer' AND aggregate_id = ?")) {
                select.setString(1, id);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    count = row.getLong(1);
                }
            }
            if (count >= expected) {
                break;
            }
            Thread.sleep(100);
        }
        Main.log("timetravel: " + count + " snapshots stored (" + expected + " expected)");
    }

    /** Reads of one customer's state at its events' times (index = version, 0 unused). */
    private record Reader(HttpClient http, String hub, String id, List<Instant> times) {

        private void warmUp(int reads) throws Exception {
            read(times.size() - 1, null);   // the newest: a read with snapshots on takes every one up to it
            for (int i = 0; i < reads; i++) {
                read(randomVersion(), null);
            }
        }

        private ObjectNode sequential(int reads, boolean latest) throws Exception {
            Stats stats = new Stats();
            LongAdder folded = new LongAdder();
            long started = System.nanoTime();
            for (int i = 0; i < reads; i++) {
                long t0 = System.nanoTime();
                int version = latest ? times.size() - 1 : randomVersion();
                String outcome = read(version, folded);
                if (outcome == null) {
                    stats.success("200", System.nanoTime() - t0);
                } else {
                    stats.failure(outcome, outcome);
                }
            }
            ObjectNode node = stats.toJson(Main.JSON.createObjectNode(), (System.nanoTime() - started) / 1e9, "reads_per_s");
            node.put("events_folded_mean", Stats.round(folded.sum() / (double) Math.max(1, stats.ok.sum()), 1));
            return node;
        }

        private ObjectNode closedLoop(int clients, double seconds) throws Exception {
            Stats stats = new Stats();
            LongAdder folded = new LongAdder();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            List<Thread> threads = new ArrayList<>();
            long started = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                Thread client = new Thread(() -> {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            String outcome = read(randomVersion(), folded);
                            if (outcome == null) {
                                stats.success("200", System.nanoTime() - t0);
                            } else {
                                stats.failure(outcome, outcome);
                            }
                        } catch (Exception e) {
                            stats.failure(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
                        }
                    }
                });
                client.start();
                threads.add(client);
            }
            for (Thread thread : threads) {
                thread.join();
            }
            ObjectNode node = stats.toJson(Main.JSON.createObjectNode(), (System.nanoTime() - started) / 1e9, "reads_per_s");
            node.put("clients", clients);
            node.put("events_folded_mean", Stats.round(folded.sum() / (double) Math.max(1, stats.ok.sum()), 1));
            return node;
        }

        private int randomVersion() {
            return ThreadLocalRandom.current().nextInt(1, times.size());
        }

        /** One ?as_of= read at a version's time; null when it answered that version, else what it answered. */
        private String read(int version, LongAdder folded) throws Exception {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(hub + "/api/customers/" + id
                    + "?as_of=" + times.get(version))).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
            String etag = answer.headers().firstValue("etag").orElse("");
            if (answer.statusCode() != 200 || !etag.equals("\"" + version + "\"")) {
                return answer.statusCode() + " (version " + version + ", etag " + etag + ")";
            }
            if (folded != null) {
                folded.add(Long.parseLong(answer.headers().firstValue("herald-events-folded").orElse("0")));
            }
            return null;
        }
    }

    private static void print(String phase, JsonNode m) {
        for (String name : List.of("latest", "random", "throughput")) {
            JsonNode r = m.path(name);
            Main.log(String.format("timetravel (%s) %-10s p50 %8.2f ms  p99 %8.2f ms  %8.1f reads/s  %7.1f events folded"
                    + " per read  (%d reads, %d errors)", phase, name, r.path("p50_ms").asDouble(),
                    r.path("p99_ms").asDouble(), r.path("reads_per_s").asDouble(), r.path("events_folded_mean").asDouble(),
                    r.path("ok").asLong(), r.path("errors").asLong()));
        }
    }
}
