package dev.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;

/**
 * herald-bench commands:
 * <pre>
 *   session  --hub-url URL --mode sync|outbox ... --out FILE   load one running hub, run the raw baselines
 *   db-exec  --jdbc-url URL [--db-user U] SQL...                 run statements (schemas for --external-db)
 *   relay-fill  --hub-url URL --events N --out FILE              backlog for the relay (hub started with the relay paused)
 *   relay-drain --jdbc-url URL --fill FILE ... --out FILE       watch a restarted hub's relay drain that backlog
 *   webhooks --hub-url URL --events N --out FILE                 webhook deliveries/s, alone and beside a hanging endpoint
 *   rabbitmq-drain --hub-log FILE --queue Q --events N ... --out FILE   the bridge forwarding a backlog, and raw AMQP
 *   projection-catchup --jdbc-url URL --events N --out FILE    a running hub's projection catching up, beside plain JDBC
 *   timetravel --phase full|snapshots --hub-url URL --jdbc-url URL --id-file F ... --out FILE   ?as_of= reads of a
 *                                                              customer with N events, without and with snapshots
 *   relay-debezium-herald|relay-debezium-peer|relay-debezium-merge ...   Herald's relay beside Debezium (RelayVsDebezium)
 *   sagas --hub-url URL --jdbc-url URL --payment-port P --inventory-port Q --orders N --out FILE   order-fulfilment
 *                                                              sagas/s against instant local services, beside a plain client
 *   soak --db-url URL --ports-file F --hub-url URL [--minutes N] [--amqp-url URL] --out FILE.json   faults under load, then invariants
 *   scaling --db-url URL --instances N --hub-home DIR --hub-args-file F --work DIR --out FILE.json   intake with
 *                                                              1..N hubs on one database and one Kafka (Scaling)
 *   selftest [--rates LIST] [--delay-ms N]                     the generator against an in-process stub
 *   report   --out-dir DIR --stamp TS [--meta-json FILE] SESSION.json... | --from RESULTS.json   JSON + Markdown + PNG
 * </pre>
 * See bench/README.md.
 */
public final class Main {

    /** The outbox catch-up watch ends after this many seconds without any event published. */
    static final int STALL_CUTOFF_S = 10;

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            System.err.println("usage: herald-bench session|db-exec|report [options]  (see bench/README.md)");
            System.exit(2);
        }
        Args args = new Args(argv, 1);
        switch (argv[0]) {
            case "session" -> session(args);
            case "db-exec" -> dbExec(args);
            case "report" -> Report.write(args);
            case "selftest" -> SelfTest.run(args);
            case "relay-fill" -> relayFill(args);
            case "relay-drain" -> relayDrainSession(args);
            case "webhooks" -> Webhooks.session(args);
            case "rabbitmq-drain" -> RabbitDrain.run(args);
            case "soak" -> Soak.run(args);
            case "projection-catchup" -> ProjectionCatchUp.run(args);
            case "timetravel" -> TimeTravel.run(args);
            case "relay-debezium-herald" -> RelayVsDebezium.herald(args);
            case "relay-debezium-peer" -> RelayVsDebezium.peer(args);
            case "relay-debezium-merge" -> RelayVsDebezium.merge(args);
            case "sagas" -> Sagas.session(args);
            case "scaling" -> Scaling.run(args);
            default -> {
                System.err.println("unknown command " + argv[0]);
                System.exit(2);
            }
        }
        System.exit(0); // HttpClient and Kafka threads must not keep the JVM alive
    }

    static void log(String message) {
        System.err.println("[bench " + Instant.now().toString().substring(11, 19) + "] " + message);
    }

    private static void dbExec(Args args) throws Exception {
        try (Connection c = DriverManager.getConnection(args.require("jdbc-url"), args.get("db-user", "postgres"),
                args.get("db-password", "")); Statement s = c.createStatement()) {
            for (String sql : args.positional) {
                s.execute(sql);
            }
        }
    }

    private static void session(Args args) throws Exception {
        String mode = args.get("mode", "sync");
        String scenario = "intake-" + mode;
        ObjectNode root = JSON.createObjectNode();
        root.put("scenario", scenario);
        root.put("mode", mode);
        ObjectNode hub = root.putObject("hub");
        hub.put("url", args.require("hub-url"));
        hub.put("pid", args.getLong("hub-pid", -1));
        hub.put("time_to_ready_ms", args.getLong("time-to-ready-ms", -1));
        hub.put("db", args.get("db-kind", "embedded"));
        long pid = args.getLong("hub-pid", -1);
        int concurrency = args.getInt("concurrency", 32);
        int poolSize = args.getInt("pool-size", 10);
        ObjectNode settings = root.putObject("settings");
        args.options.forEach((k, v) -> {
            if (!k.contains("password")) {
                settings.put(k, v);
            }
        });

        String jdbcUrl = args.get("jdbc-url", "");
        long peerPid = args.getLong("peer-pid", -1);
        Cpu cpu = new Cpu(java.util.Map.of("hub", pid, "peer", peerPid), jdbcUrl.isEmpty() ? 0 : Cpu.portOf(jdbcUrl));
        try (RssSampler rss = new RssSampler(pid)) {
            hub.put("rss_ready_mb", Stats.round(rss.sample() / 1024.0, 1));
            Intake intake = new Intake(args.require("hub-url"));
            HttpResponse<String> first = intake.probe();
            log(scenario + ": probe answered " + first.statusCode() + " " + first.body());
            if (first.statusCode() / 100 != 2) {
                root.put("probe_failure", first.statusCode() + " " + first.body());
            }
            double warmup = args.getDouble("warmup", 5);
            log(scenario + ": warm-up " + warmup + " s, " + concurrency + " clients");
            intake.warmUp(concurrency, warmup);
            rss.endPhaseMb();

            ArrayNode fixed = root.putArray("fixed_rate");
            double duration = args.getDouble("duration", 10);
            int maxInFlight = args.getInt("max-in-flight", 512);
            for (double rate : args.doubles("rates", "100,300,1000")) {
                log(scenario + ": open model " + rate + " req/s for " + duration + " s");
                ObjectNode r = intake.open(rate, duration, maxInFlight, fixed.addObject());
                r.put("rss_max_mb", rss.endPhaseMb());
                log(scenario + ":   " + summary(r));
                Thread.sleep(1_000);
            }

            double satSeconds = args.getDouble("saturation-duration", 10);
            log(scenario + ": saturation, closed loop, " + concurrency + " clients for " + satSeconds + " s");
            Cpu.Phase phase = cpu.start();
            ObjectNode sat = intake.closed(concurrency, satSeconds, root.putObject("saturation"));
            phase.end(sat.path("ok").asLong(), 1_000, sat.putObject("cpu"));
            sat.put("rss_max_mb", rss.endPhaseMb());
            log(scenario + ":   " + summary(sat));
            hub.put("rss_max_mb", rss.maxMb());

            if (mode.equals("outbox") && !jdbcUrl.isEmpty()) {
                double wait = args.getDouble("relay-wait", 10);
                log(scenario + ": relay drain, watching the outbox empty (at most " + wait + " s)");
                ObjectNode d = relayDrain(jdbcUrl, args.get("db-user", "postgres"), args.get("db-password", ""),
                        wait, root.putObject("relay_drain"));
                log(scenario + ":   " + d);
            }

            if (!jdbcUrl.isEmpty()) {
                String user = args.get("db-user", "postgres");
                String password = args.get("db-password", "");
                Thread.sleep(1_000);
                root.set("hub_db_check", dbCheck(jdbcUrl, user, password));
                double rawSeconds = args.getDouble("raw-duration", satSeconds);
                log(scenario + ": raw JDBC baseline, " + concurrency + " threads, pool " + poolSize + ", "
                        + rawSeconds + " s");
                ObjectNode raw = new RawJdbc(jdbcUrl, user, password).run(concurrency, poolSize,
                        args.getDouble("raw-warmup", 2), rawSeconds, cpu, root.putObject("raw_jdbc"));
                log(scenario + ":   raw JDBC " + raw.get("ops_per_s") + " tx/s, p50 " + raw.get("p50_ms")
                        + " ms, p99 " + raw.get("p99_ms") + " ms, errors " + raw.get("errors"));
            }

            long kafkaRecords = args.getLong("kafka-records", 0);
            String brokers = args.get("kafka-brokers", "");
            if (kafkaRecords > 0 && !brokers.isEmpty()) {
                log(scenario + ": raw Kafka producer baseline, " + kafkaRecords + " records to " + brokers);
                ObjectNode k = new RawKafka(brokers).run(kafkaRecords, args.getInt("record-bytes", 600), cpu,
                        root.putObject("raw_kafka"));
                log(scenario + ":   raw Kafka " + k.get("records_per_s") + " records/s, errors " + k.get("errors"));
            }
            String peerUrl = args.get("peer-url", "");
            if (!peerUrl.isEmpty()) {
                peer(peerUrl, args, cpu, root.putObject("peer_intake"));
            }
            hub.put("rss_max_mb", rss.maxMb());
            hub.put("rss_end_mb", Stats.round(rss.sample() / 1024.0, 1));
        }
        File out = new File(args.require("out"));
        JSON.writeValue(out, root);
        log(scenario + ": wrote " + out);
    }

    /**
     * The same load on the intake peer (bench/peers/intake: Camel's own components, no Herald), on the same
     * PostgreSQL and Kafka, right after Herald's: warm-up, the open-model rates, saturation with its CPU.
     */
    private static void peer(String url, Args args, Cpu cpu, ObjectNode out) throws Exception {
        out.put("url", url);
        out.put("what", "platform-http -> json-validator -> sql (state + outbox row, one statement) -> kafka "
                + "(acks=all, idempotent; the route waits for the ack) -> 201");
        Intake peer = new Intake(url);
        HttpResponse<String> first = peer.probe();
        log("peer: probe answered " + first.statusCode() + " " + first.body());
        int concurrency = args.getInt("concurrency", 32);
        peer.warmUp(concurrency, args.getDouble("warmup", 5));
        ArrayNode fixed = out.putArray("fixed_rate");
        for (double rate : args.doubles("rates", "100,300,1000")) {
            log("peer: open model " + rate + " req/s");
            ObjectNode r = peer.open(rate, args.getDouble("duration", 10), args.getInt("max-in-flight", 512),
                    fixed.addObject());
            log("peer:   " + summary(r));
            Thread.sleep(1_000);
        }
        Cpu.Phase phase = cpu.start();
        ObjectNode sat = peer.closed(concurrency, args.getDouble("saturation-duration", 10), out.putObject("saturation"));
        phase.end(sat.path("ok").asLong(), 1_000, sat.putObject("cpu"));
        log("peer: saturation " + summary(sat));
    }

    /**
     * The relay publishes the outbox while the load runs; what is left when the load stops is a backlog. Polls
     * the unpublished count until it is zero, stops moving for 10 s, or {@code seconds} pass.
     */
    private static ObjectNode relayDrain(String url, String user, String password, double seconds, ObjectNode out)
            throws Exception {
        String sql = RelayVsDebezium.UNPUBLISHED;
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            long start = System.nanoTime();
            long backlog = count(s, sql);
            long pending = backlog;
            long lastChange = start;
            long drainedAt = start;
            while (pending > 0 && System.nanoTime() - start < seconds * 1e9 && System.nanoTime() - lastChange < STALL_CUTOFF_S * 1e9) {
                Thread.sleep(100);
                long now = count(s, sql);
                if (now != pending) {
                    lastChange = System.nanoTime();
                    drainedAt = lastChange;
                }
                pending = now;
            }
            double elapsed = (drainedAt - start) / 1e9;
            out.put("backlog_at_end_of_load", backlog);
            out.put("stall_cutoff_s", STALL_CUTOFF_S);
            out.put("pending_at_end", pending);
            out.put("drained", backlog - pending);
            out.put("elapsed_s", Stats.round(elapsed, 3));
            out.put("events_per_s", elapsed > 0 ? Stats.round((backlog - pending) / elapsed, 1) : 0);
        }
        return out;
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void relayFill(Args args) throws Exception {
        ObjectNode root = JSON.createObjectNode();
        Intake intake = new Intake(args.require("hub-url"));
        long events = args.getLong("events", 10_000);
        int clients = args.getInt("concurrency", 32);
        log("relay: filling the outbox with " + events + " commands (" + clients + " clients, relay paused)");
        intake.fill(clients, events, root);
        log("relay:   " + summary(root));
        long backlog = args.getLong("backlog", 0);
        if (backlog > events) {
            root.put("synthetic_events", expand(args.require("jdbc-url"), args.get("db-user", "postgres"),
                    args.get("db-password", ""), backlog));
        }
        JSON.writeValue(new File(args.require("out")), root);
    }

    /**
     * Grows the backlog to {@code backlog} events without sending millions of commands: copies of the events
     * the commands made (same envelopes and sizes), each copy a new aggregate ("-<n>" appended to its id) with
     * a new event id written into its envelope too. One transaction per copy round.
     */
    private static long expand(String url, String user, String password, long backlog) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            long base = count(s, "SELECT count(*) FROM events");
            long rounds = (backlog - base + base - 1) / base;
            log("relay: copying " + base + " events " + rounds + " times for a backlog of about " + backlog);
            long started = System.nanoTime();
            try (PreparedStatement copy = c.prepareStatement("""
                    INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                        schema_version, topic, command_id, envelope)
                    SELECT e.id, e.aggregate_type, e.aggregate_id || '-' || ?, e.aggregate_version, e.event_type,
                           e.schema_version, e.topic, gen_random_uuid(),
                           jsonb_set(jsonb_set(e.envelope::jsonb, '{id}', to_jsonb(e.id::text)),
                                     '{partitionkey}', to_jsonb(e.aggregate_id || '-' || ?))::text
                      FROM (SELECT gen_random_uuid() AS id, * FROM events WHERE seq <= ?) e""")) {
                long maxSeq = count(s, "SELECT max(seq) FROM events");
                for (long round = 1; round <= rounds; round++) {
                    copy.setString(1, String.valueOf(round));
                    copy.setString(2, String.valueOf(round));
                    copy.setLong(3, maxSeq);
                    copy.executeUpdate();
                }
            }
            long total = count(s, "SELECT count(*) FROM events");
            log("relay:   " + total + " events in the outbox after " + Math.round((System.nanoTime() - started) / 1e9)
                    + " s of copying");
            return total - base;
        }
    }

    /**
     * Watches the outbox of a hub restarted on a backlog, from as soon as its database answers (the relay may
     * start before the hub reports ready): drain rate = events published between the last sample that still
     * saw the whole backlog and the sample that saw it empty (100 ms resolution).
     */
    private static void relayDrainSession(Args args) throws Exception {
        ObjectNode root = JSON.createObjectNode();
        root.put("scenario", "relay");
        root.put("mode", "relay");
        ObjectNode hub = root.putObject("hub");
        hub.put("pid", args.getLong("hub-pid", -1));
        hub.put("db", args.get("db-kind", "embedded"));
        root.set("fill", JSON.readTree(new File(args.require("fill"))));
        String url = args.require("jdbc-url");
        String user = args.get("db-user", "postgres");
        String password = args.get("db-password", "");
        double wait = args.getDouble("relay-wait", 60);
        root.putObject("settings").put("relay-wait", args.get("relay-wait", "60"))
                .put("relay-events", args.get("events", ""));
        ObjectNode d = root.putObject("relay_drain");
        try (RssSampler rss = new RssSampler(args.getLong("hub-pid", -1))) {
            Connection c = null;
            long deadline = System.nanoTime() + (long) (120e9);
            while (c == null) {
                try {
                    c = DriverManager.getConnection(url, user, password);
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
            try (Connection conn = c; Statement s = conn.createStatement()) {
                String pendingSql = RelayVsDebezium.UNPUBLISHED;
                long total = count(s, "SELECT count(*) FROM events");
                long first = count(s, pendingSql);
                long tStart = System.nanoTime();
                long tLast = tStart;
                long pending = first;
                long watchStart = tStart;
                long halfPending = -1;
                long halfAt = 0;
                log("relay: watching " + first + " pending events (of " + total + ") drain, at most " + wait + " s");
                while (pending > 0 && System.nanoTime() - watchStart < wait * 1e9) {
                    Thread.sleep(100);
                    long now = count(s, pendingSql);
                    long t = System.nanoTime();
                    if (now == first) {
                        tStart = t; // not started yet
                    } else if (now != pending) {
                        tLast = t;
                    }
                    if (now <= first / 2 && halfPending < 0) {
                        halfPending = now;
                        halfAt = t;
                    }
                    pending = now;
                }
                double elapsed = Math.max(0, (tLast - tStart) / 1e9);
                // the second half alone: the restarted hub's JIT warm-up is over (the raw producer runs warm)
                double warm = halfPending < 0 ? 0 : Math.max(0, (tLast - halfAt) / 1e9);
                d.put("second_half_events_per_s", warm > 0 ? Stats.round((halfPending - pending) / warm, 1) : 0);
                d.put("events_in_db", total);
                d.put("backlog_at_end_of_load", first);
                d.put("drained_before_first_sample", total - first);
                d.put("pending_at_end", pending);
                d.put("drained", first - pending);
                d.put("elapsed_s", Stats.round(elapsed, 3));
                d.put("events_per_s", elapsed > 0 ? Stats.round((first - pending) / elapsed, 1) : 0);
                d.put("controlled_backlog", true);
                log("relay:   " + d);
            }
            hub.put("rss_max_mb", rss.maxMb());
        }
        long kafkaRecords = args.getLong("kafka-records", 0);
        String brokers = kafkaBrokers(args);
        if (kafkaRecords > 0 && !brokers.isEmpty()) {
            log("relay: raw Kafka producer baseline, " + kafkaRecords + " records to " + brokers);
            ObjectNode k = new RawKafka(brokers).run(kafkaRecords, args.getInt("record-bytes", 600),
                    new Cpu(java.util.Map.of("hub", args.getLong("hub-pid", -1)), Cpu.portOf(url)),
                    root.putObject("raw_kafka"));
            log("relay:   raw Kafka " + k.get("records_per_s") + " records/s, errors " + k.get("errors"));
        }
        JSON.writeValue(new File(args.require("out")), root);
    }

    /** --kafka-brokers, else the embedded broker's address from the hub's log (--hub-log), else empty. */
    static String kafkaBrokers(Args args) throws java.io.IOException {
        String brokers = args.get("kafka-brokers", "");
        if (brokers.isEmpty() && !args.get("hub-log", "").isEmpty()) {
            var m = java.util.regex.Pattern.compile("Embedded Kafka listening on ([0-9.]+:[0-9]+)")
                    .matcher(java.nio.file.Files.readString(java.nio.file.Path.of(args.get("hub-log", ""))));
            brokers = m.find() ? m.group(1) : "";
        }
        return brokers;
    }

    private static ObjectNode dbCheck(String url, String user, String password) {
        ObjectNode n = JSON.createObjectNode();
        n.put("accepted_2xx_including_warmup", Intake.ACCEPTED.get());
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                        SELECT count(*), count(*) FILTER (WHERE published_at IS NULL),
                               coalesce(round(avg(length(envelope))), 0), (SELECT count(*) FROM commands)
                          FROM events""")) {
            rs.next();
            n.put("events", rs.getLong(1));
            n.put("events_unpublished", rs.getLong(2));
            n.put("envelope_avg_bytes", rs.getLong(3));
            n.put("commands", rs.getLong(4));
        } catch (Exception e) {
            n.put("error", e.toString());
        }
        return n;
    }

    static String summary(ObjectNode r) {
        return r.get("achieved_per_s") + " cmd/s, p50 " + r.get("p50_ms") + " ms, p99 " + r.get("p99_ms")
                + " ms, max " + r.get("max_ms") + " ms, ok " + r.get("ok") + ", errors " + r.get("errors") + " "
                + r.get("outcomes");
    }
}
