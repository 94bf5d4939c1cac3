package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Herald's relay beside Debezium's embedded engine (bench/peers/debezium), draining the same backlog of the same
 * events from the same PostgreSQL (a private cluster with wal_level=logical) to the same Kafka, in alternating
 * pairs. Three commands, one per step bench/run takes:
 * <pre>
 *   relay-debezium-herald --jdbc-url URL --hub-pid P --out F   watch a restarted hub's relay drain its outbox
 *   relay-debezium-peer   --jdbc-url URL --hub-log F --hub-pid P --peer-jar J --out F [--kafka-records N]
 *                         copy the events into the peer's outbox table (a slot made first), run the peer, watch
 *                         its topic fill; then the raw producer when asked
 *   relay-debezium-merge  --out F DRAIN.json...                    one session: every pair, medians, ratios
 * </pre>
 * Both drains are timed the same way: from the last 100 ms sample that saw no progress to the sample that saw the
 * whole backlog through, and CPU (Cpu: /proc) over that same window, so neither start-up is counted.
 */
final class RelayVsDebezium {

    static final String SLOT = "herald_bench_debezium";
    static final String TABLE = "public.herald_bench_debezium_outbox";
    /**
     * What the relay has still to publish, counted as the relay's own partial index (events_unpublished) holds
     * it: an index-only scan of what is left. Without {@code dead_lettered_at IS NULL} the index does not match
     * and every 100 ms sample seq-scanned the whole table (~32 ms of PostgreSQL CPU per sample at 100,000
     * events), a cost Debezium's side (a count in a file) never paid. No bench event is dead-lettered.
     */
    static final String UNPUBLISHED =
            "SELECT count(*) FROM events WHERE published_at IS NULL AND dead_lettered_at IS NULL";

    private RelayVsDebezium() {
    }

    /** Herald's relay: the unpublished count of its outbox, from before the hub starts to zero. */
    static void herald(Args args) throws Exception {
        String url = args.require("jdbc-url");
        ObjectNode out = Main.JSON.createObjectNode();
        out.put("who", "herald");
        Cpu cpu = new Cpu(Map.of("hub", args.getLong("hub-pid", -1)), Cpu.portOf(url));
        try (Connection c = DriverManager.getConnection(url, args.get("db-user", "postgres"), "");
                Statement s = c.createStatement()) {
            long backlog = count(s, UNPUBLISHED);
            out.put("event_bytes", count(s, "SELECT coalesce(round(avg(octet_length(envelope))), 0) FROM events"));
            Main.log("relay-debezium: Herald's relay draining " + backlog + " events");
            watch(() -> backlog - count(s, UNPUBLISHED), backlog,
                    args.getDouble("wait", 300), cpu, out);
        }
        Main.log("relay-debezium:   Herald " + out);
        Main.JSON.writeValue(new File(args.require("out")), out);
    }

    /**
     * Debezium: a fresh slot and publication on the peer's own outbox table, the hub's events copied into it in
     * one transaction (id, aggregatetype, aggregateid, type, payload = the envelope Herald sends), the routed
     * topics made with the partitions of Herald's topic, then the peer started and its topics watched.
     */
    static void peer(Args args) throws Exception {
        String url = args.require("jdbc-url");
        String brokers = Main.kafkaBrokers(args);
        ObjectNode out = Main.JSON.createObjectNode();
        out.put("who", "debezium");
        long events;
        List<String> topics = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, args.get("db-user", "postgres"), "");
                Statement s = c.createStatement()) {
            dropSlot(s);
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id uuid PRIMARY KEY, aggregatetype text NOT NULL, "
                    + "aggregateid text NOT NULL, type text NOT NULL, payload text NOT NULL)");
            s.execute("TRUNCATE " + TABLE);
            s.execute("CREATE PUBLICATION " + SLOT + " FOR TABLE " + TABLE);
            s.execute("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
            events = s.executeUpdate("INSERT INTO " + TABLE + " SELECT event_id, aggregate_type, aggregate_id, "
                    + "event_type, envelope FROM events ORDER BY seq");
            out.put("event_bytes", count(s, "SELECT coalesce(round(avg(octet_length(payload))), 0) FROM " + TABLE));
            try (ResultSet rs = s.executeQuery("SELECT DISTINCT aggregatetype FROM " + TABLE)) {
                while (rs.next()) {
                    topics.add("outbox.event." + rs.getString(1));
                }
            }
        }
        String jar = args.require("peer-jar");
        Path log = Path.of(args.get("peer-log", "peer-debezium.log"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            int partitions = partitionsOf(admin, args.get("kafka-topic", "customers"));
            out.put("partitions", partitions);
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> create = topics.stream().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, partitions, (short) 1)).toList();
            admin.createTopics(create).all().get(30, TimeUnit.SECONDS);
            long base = endOffsets(admin, topics);
            // the peer's own count of acked records, like Herald's published marks: watching the topics' end
            // offsets every 100 ms would add broker and load-generator CPU to Debezium's side only
            Path progress = Path.of(args.require("out") + ".progress");
            Files.deleteIfExists(progress);
            Process peer = new ProcessBuilder("java", "-Xmx256m", "-Dpeer.pg-port=" + Cpu.portOf(url),
                    "-Dpeer.pg-db=" + database(url), "-Dpeer.table=" + TABLE, "-Dpeer.slot=" + SLOT,
                    "-Dpeer.publication=" + SLOT, "-Dpeer.brokers=" + brokers,
                    "-Dpeer.extended-headers=" + args.get("extended-headers", "true"),
                    "-Dpeer.progress-file=" + progress, "-jar", jar)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Main.log("relay-debezium: Debezium (pid " + peer.pid() + ") draining " + events + " events to " + topics);
            try {
                Cpu cpu = new Cpu(Map.of("hub", args.getLong("hub-pid", -1), "peer", peer.pid()), Cpu.portOf(url));
                watch(() -> {
                    if (!peer.isAlive()) {
                        throw new IllegalStateException("the Debezium peer exited; see " + log);
                    }
                    return acked(progress);
                }, events, args.getDouble("wait", 300), cpu, out);
                out.put("in_topics", endOffsets(admin, topics) - base);
            } finally {
                peer.destroy();
                if (!peer.waitFor(20, TimeUnit.SECONDS)) {
                    peer.destroyForcibly().waitFor();
                }
            }
        }
        try (Connection c = DriverManager.getConnection(url, args.get("db-user", "postgres"), "");
                Statement s = c.createStatement()) {
            dropSlot(s);
            s.execute("TRUNCATE " + TABLE);
        }
        Main.log("relay-debezium:   Debezium " + out);
        long rawRecords = args.getLong("kafka-records", 0);
        if (rawRecords > 0) {
            Main.log("relay-debezium: raw Kafka producer baseline, " + rawRecords + " records to " + brokers);
            ObjectNode k = new RawKafka(brokers).run(rawRecords, (int) out.path("event_bytes").asLong(600),
                    new Cpu(Map.of("hub", args.getLong("hub-pid", -1)), Cpu.portOf(url)), out.putObject("raw_kafka"));
            Main.log("relay-debezium:   raw Kafka " + k.get("records_per_s") + " records/s");
        }
        Main.JSON.writeValue(new File(args.require("out")), out);
    }

    /** Every drain of the run (alternating Herald, Debezium) as one session: medians and ratios over the pairs. */
    static void merge(Args args) throws Exception {
        ObjectNode root = Main.JSON.createObjectNode();
        root.put("scenario", "relay-debezium");
        root.put("mode", "relay-debezium");
        ObjectNode r = root.putObject("relay_debezium");
        r.put("what", "Debezium embedded " + args.get("debezium-version", "3.6.1.Final") + " (PostgreSQL connector, "
                + "pgoutput, outbox EventRouter) -> KafkaProducer (acks=all, idempotent, offsets after the acks)");
        r.put("database", args.get("database", "private PostgreSQL, wal_level=logical"));
        ArrayNode pairs = r.putArray("drains");
        List<Double> herald = new ArrayList<>();
        List<Double> debezium = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        Map<String, List<JsonNode>> cpu = new TreeMap<>();
        double lastHerald = -1;
        for (String f : args.positional) {
            JsonNode d = Main.JSON.readTree(new File(f));
            pairs.add(d);
            String who = d.path("who").asText();
            double rate = d.path("complete").asBoolean() ? d.path("events_per_s").asDouble() : 0;
            cpu.computeIfAbsent(who, k -> new ArrayList<>()).add(d.path("cpu"));
            if (who.equals("herald")) {
                herald.add(rate);
                lastHerald = rate;
            } else {
                debezium.add(rate);
                if (lastHerald > 0 && rate > 0) {
                    ratios.add(lastHerald / rate);
                }
                lastHerald = -1;
            }
            if (d.has("raw_kafka")) {
                r.set("raw_kafka", d.get("raw_kafka")); // kept apart: the scenario table's relay row has its own
            }
            r.put("events", d.path("events").asLong());
            r.put("event_bytes", d.path("event_bytes").asLong());
            if (d.has("partitions")) {
                r.put("partitions", d.path("partitions").asInt());
            }
        }
        r.put("pairs", ratios.size());
        r.put("herald_events_per_s", median(herald));
        r.put("debezium_events_per_s", median(debezium));
        r.put("ratio_median", Stats.round(median(ratios), 3));
        ArrayNode each = r.putArray("ratios");
        ratios.forEach(x -> each.add(Stats.round(x, 3)));
        double raw = r.path("raw_kafka").path("records_per_s").asDouble();
        if (raw > 0) {
            r.put("herald_vs_raw", Stats.round(median(herald) / raw, 3));
            r.put("debezium_vs_raw", Stats.round(median(debezium) / raw, 3));
        }
        cpu.forEach((who, list) -> r.set(who + "_cpu", medianCpu(list)));
        Main.JSON.writeValue(new File(args.require("out")), root);
    }

    /**
     * Samples {@code progress} every 100 ms until it reaches {@code total} or {@code seconds} pass. The drain
     * starts at the last sample that saw no progress (CPU snapshot taken there too) and ends at the first that
     * saw it all.
     */
    private static void watch(Sampler progress, long total, double seconds, Cpu cpu, ObjectNode out)
            throws Exception {
        long watchStart = System.nanoTime();
        long tStart = watchStart;
        long tLast = watchStart;
        long done = 0;
        Cpu.Snapshot before = cpu.take();
        long halfDone = -1;
        long halfAt = 0;
        while (done < total && System.nanoTime() - watchStart < seconds * 1e9) {
            Thread.sleep(100);
            long now = progress.getAsLong();
            long t = System.nanoTime();
            if (now == 0) {
                tStart = t;
                before = cpu.take();
            } else if (now != done) {
                tLast = t;
            }
            if (halfDone < 0 && now >= total / 2) {
                halfDone = now;
                halfAt = t;
            }
            done = now;
        }
        Cpu.per(before, cpu.take(), done, 1_000, out.putObject("cpu"));
        double elapsed = Math.max(0, (tLast - tStart) / 1e9);
        double warm = halfDone < 0 ? 0 : (tLast - halfAt) / 1e9;
        out.put("events", total);
        out.put("drained", done);
        out.put("complete", done >= total);
        out.put("elapsed_s", Stats.round(elapsed, 3));
        out.put("events_per_s", elapsed > 0 ? Stats.round(done / elapsed, 1) : 0);
        out.put("second_half_events_per_s", warm > 0 ? Stats.round((done - halfDone) / warm, 1) : 0);
    }

    @FunctionalInterface
    private interface Sampler {
        long getAsLong() throws Exception;
    }

    private static long acked(Path progress) {
        try {
            return Long.parseLong(Files.readString(progress).strip());
        } catch (Exception e) {
            return 0; // not written yet
        }
    }

    private static void dropSlot(Statement s) throws Exception {
        s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                + SLOT + "'");
        s.execute("DROP PUBLICATION IF EXISTS " + SLOT);
    }

    private static long endOffsets(Admin admin, Collection<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> ask = new java.util.HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((t, d) -> d.partitions()
                .forEach(p -> ask.put(new TopicPartition(t, p.partition()), OffsetSpec.latest())));
        long sum = 0;
        for (var e : admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS).values()) {
            sum += e.offset();
        }
        return sum;
    }

    private static int partitionsOf(Admin admin, String topic) throws Exception {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                    .partitions().size();
        } catch (java.util.concurrent.ExecutionException e) {
            return 3;
        }
    }

    private static String database(String jdbcUrl) {
        var m = java.util.regex.Pattern.compile("//[^/]+/([^?]+)").matcher(jdbcUrl);
        return m.find() ? m.group(1) : "postgres";
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double median(List<Double> xs) {
        List<Double> v = xs.stream().filter(x -> x > 0).sorted().toList();
        if (v.isEmpty()) {
            return 0;
        }
        int n = v.size();
        return Stats.round(n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2, 1);
    }

    /** Per process group, the median over the drains of CPU ms per 1,000 events. */
    private static ObjectNode medianCpu(List<JsonNode> cpus) {
        ObjectNode out = Main.JSON.createObjectNode();
        Map<String, List<Double>> byGroup = new TreeMap<>();
        for (JsonNode c : cpus) {
            c.fields().forEachRemaining(e -> {
                if (e.getKey().endsWith("_ms")) {
                    byGroup.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue().asDouble());
                }
            });
            out.put("units", out.path("units").asLong() + c.path("units").asLong());
        }
        out.put("per", 1_000);
        byGroup.forEach((k, v) -> {
            List<Double> sorted = v.stream().sorted().toList();
            int n = sorted.size();
            out.put(k, Stats.round(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2, 1));
        });
        return out;
    }
}
