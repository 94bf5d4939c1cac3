package dev.herald.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.ConsumerGroupState;

/**
 * The multi-instance soak's restarts, under the writers' load: one instance killed with SIGKILL, the time until
 * the others took over what it held (its sync lanes' and relay batches' unpublished events, its claimed webhook
 * deliveries, its share of the bridges' Kafka partitions), then restarted; and a rolling restart of every
 * instance (SIGTERM, wait for the exit, start, wait ready, next). Each instance's fan-out counter is read before
 * it goes, so the run's total of records fanned out covers every life of every instance.
 */
final class SoakRestarts {

    /** Unpublished events an instance holds: on the event row (a sync lane) or in one of its relay batches. */
    private static final String HELD_EVENTS = """
            SELECT e.seq FROM events e
             WHERE e.published_at IS NULL AND e.dead_lettered_at IS NULL
               AND ((e.claimed_by = ? AND e.claimed_until >= now())
                    OR (e.aggregate_type, e.aggregate_id) IN (
                        SELECT a.type, a.id FROM relay_claims c, unnest(c.aggregate_types, c.aggregate_ids) AS a(type, id)
                         WHERE c.claimant = ? AND c.claimed_until >= now()))""";
    private static final String STILL_UNPUBLISHED =
            "SELECT count(*) FROM events WHERE seq = ANY (?) AND published_at IS NULL AND dead_lettered_at IS NULL";
    private static final String HELD_DELIVERIES = """
            SELECT id FROM webhook_deliveries WHERE status = 'pending' AND claimed_by = ? AND claimed_until >= now()""";
    private static final String STILL_HELD =
            "SELECT count(*) FROM webhook_deliveries WHERE id = ANY (?) AND status = 'pending' AND claimed_by = ?";
    static final String FAN_OUT_RECORDS = "herald_webhooks_fanout_records_total";

    private final SoakInstances instances;
    private final String dbUrl;
    private final String user;
    private final String password;
    private final String brokers;
    private final List<String> groups;
    private double fanOutRecords;

    SoakRestarts(SoakInstances instances, String dbUrl, String user, String password, String brokers,
            List<String> groups) {
        this.instances = instances;
        this.dbUrl = dbUrl;
        this.user = user;
        this.password = password;
        this.brokers = brokers;
        this.groups = groups;
    }

    /**
     * SIGKILL of instance {@code index} ({@code afterKill} runs once its claims are noted); waits (at most {@code patience}) until what it held is published or
     * claimed by another instance and each bridge group has rebalanced without it; then restarts it.
     */
    ObjectNode killAndTakeOver(int index, Duration patience, Runnable afterKill, List<String> violations)
            throws Exception {
        SoakInstances.Hub hub = instances.hubs().get(index);
        ObjectNode figures = Main.JSON.createObjectNode().put("instance", hub.id());
        fanOutRecords += instances.metric(index, FAN_OUT_RECORDS);
        try (Connection db = DriverManager.getConnection(dbUrl, user, password); Admin kafka = admin()) {
            Map<String, Integer> membersBefore = new HashMap<>();
            for (String group : groups) {
                int members = describe(kafka, group).members().size();
                if (members > 0) { // a group nobody joined (a bridge off) has nothing to hand over
                    membersBefore.put(group, members);
                }
            }
            long killedAt = System.nanoTime();
            instances.kill(index);
            Main.log("soak: " + hub.id() + " killed (SIGKILL)");
            // its claims outlive it until their lease ends: what they name now is what it held
            Long[] events = ids(db, HELD_EVENTS, hub.id(), hub.id() + "-relay");
            Long[] deliveries = ids(db, HELD_DELIVERIES, hub.id() + "-webhooks");
            figures.put("events_held", events.length).put("deliveries_held", deliveries.length);
            afterKill.run();
            Long eventsMs = null;
            Long deliveriesMs = null;
            Map<String, Long> groupMs = new HashMap<>();
            long end = killedAt + patience.toNanos();
            while (System.nanoTime() < end) {
                long now = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                if (eventsMs == null && count(db, STILL_UNPUBLISHED, events) == 0) {
                    eventsMs = now;
                }
                if (deliveriesMs == null && count(db, STILL_HELD, deliveries, hub.id() + "-webhooks") == 0) {
                    deliveriesMs = now;
                }
                for (String group : membersBefore.keySet()) {
                    if (!groupMs.containsKey(group)) {
                        ConsumerGroupDescription described = describe(kafka, group);
                        if (described.state() == ConsumerGroupState.STABLE
                                && described.members().size() < membersBefore.get(group)) {
                            groupMs.put(group, now);
                        }
                    }
                }
                if (eventsMs != null && deliveriesMs != null && groupMs.size() == membersBefore.size()) {
                    break;
                }
                Thread.sleep(100);
            }
            putMs(figures, "events_taken_over_ms", eventsMs, events.length);
            putMs(figures, "deliveries_taken_over_ms", deliveriesMs, deliveries.length);
            ObjectNode rebalanced = figures.putObject("group_rebalanced_ms");
            for (String group : membersBefore.keySet()) {
                rebalanced.put(group, groupMs.get(group));
                if (!groupMs.containsKey(group)) {
                    violations.add("kill: consumer group " + group + " still counted " + hub.id() + " after " + patience);
                }
            }
            if (eventsMs == null || deliveriesMs == null) {
                violations.add("kill: what " + hub.id() + " held was not taken over within " + patience);
            }
            Main.log("soak: takeover after the kill of " + hub.id() + ": " + figures);
        }
        long restarted = System.nanoTime();
        instances.start(index);
        figures.put("restart_ready_ms", instances.awaitReady(index, restarted, Duration.ofSeconds(240)));
        return figures;
    }

    /** Each instance in turn: SIGTERM, its exit awaited, started again, ready, then the next. */
    ArrayNode rollingRestart(Duration stopPatience, List<String> violations) throws Exception {
        ArrayNode steps = Main.JSON.createArrayNode();
        for (int i = 0; i < instances.hubs().size(); i++) {
            SoakInstances.Hub hub = instances.hubs().get(i);
            fanOutRecords += instances.metric(i, FAN_OUT_RECORDS);
            long signalled = System.nanoTime();
            int exit = instances.terminate(i, stopPatience);
            long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            if (exit == -1) {
                violations.add("rolling restart: " + hub.id() + " did not exit within " + stopPatience + " of SIGTERM");
            }
            long started = System.nanoTime();
            instances.start(i);
            long readyMs = instances.awaitReady(i, started, Duration.ofSeconds(240));
            steps.addObject().put("instance", hub.id()).put("exit_code", exit).put("stop_ms", stopMs)
                    .put("ready_ms", readyMs);
            Main.log("soak: rolling restart: " + hub.id() + " exited " + exit + " " + stopMs + " ms after SIGTERM, ready "
                    + readyMs + " ms after its start");
        }
        return steps;
    }

    /** Records fanned out over every life of every instance: the counters read before each stop, and now. */
    double fanOutRecords() {
        double live = 0;
        for (int i = 0; i < instances.hubs().size(); i++) {
            live += instances.alive(i) ? instances.metric(i, FAN_OUT_RECORDS) : 0;
        }
        return fanOutRecords + live;
    }

    private Admin admin() {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        return Admin.create(config);
    }

    private static ConsumerGroupDescription describe(Admin kafka, String group) throws Exception {
        return kafka.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
    }

    private static void putMs(ObjectNode figures, String name, Long ms, int held) {
        if (held == 0) {
            figures.putNull(name); // nothing was held at the kill: nothing to take over
        } else {
            figures.put(name, ms);
        }
    }

    private static Long[] ids(Connection db, String sql, String... parameters) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
        }
        return ids.toArray(Long[]::new);
    }

    private static long count(Connection db, String sql, Long[] ids, String... parameters) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setArray(1, db.createArrayOf("bigint", ids));
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 2, parameters[i]);
            }
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
