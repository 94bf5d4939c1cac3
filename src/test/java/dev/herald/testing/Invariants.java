package dev.herald.testing;

import static org.awaitility.Awaitility.await;

import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The invariant checker the fault suites end with. It reads the database, Kafka (read_committed) and any
 * further sinks (RabbitMQ queues, webhook receivers), and checks: every accepted command kept and its event
 * delivered to every sink; nothing kept or delivered for a refused one; no delivery of an event the database
 * does not have (phantom); each aggregate's events first seen in version order in each sink; a repeat only
 * as a same-id redelivery (and none at all in an exactly-once sink).
 */
public final class Invariants {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /**
     * What the clients were told. {@code accepted}: email -> aggregate id of the customers created;
     * {@code refused}: unique strings (emails, names) of commands refused; {@code acceptedEvents}: the event
     * ids of all accepted commands (creates and updates: their number is the accepted count); {@code sent}: requests made, answered or not.
     */
    public record Outcomes(int sent, Map<String, String> accepted, Set<String> refused, Set<String> acceptedEvents) {
        public Outcomes(Map<String, String> accepted, Set<String> refused) {
            this(accepted.size() + refused.size(), accepted, refused, Set.of());
        }
    }

    /** One message as a sink got it: the event id it carries (kept by redeliveries), its aggregate, its body. */
    public record Delivery(String eventId, String aggregateId, String body) {
    }

    /** Where events end up besides Kafka; {@code exactlyOnce}: even a same-id repeat is a violation. */
    public record Sink(String name, boolean exactlyOnce, Supplier<List<Delivery>> deliveries) {
    }

    public record Summary(int sent, int accepted, int refused, int faults, int eventsChecked,
            Map<String, Integer> deliveriesRead, List<String> violations) {
        @Override
        public String toString() {
            return "invariants: " + sent + " commands sent, " + accepted + " accepted, " + refused + " refused, "
                    + faults + " faults injected; " + eventsChecked + " events checked against " + deliveriesRead
                    + " deliveries read; " + violations.size() + " violations"
                    + (violations.isEmpty() ? "" : ": " + violations);
        }
    }

    private final String dbUrl;
    private final String user;
    private final String password;
    private final String brokers;
    private final List<Sink> sinks = new ArrayList<>();
    private IntSupplier faults = () -> 0;

    private Invariants(String dbUrl, String user, String password, String brokers) {
        this.dbUrl = dbUrl;
        this.user = user;
        this.password = password;
        this.brokers = brokers;
    }

    /** A checker of the hub on this database and Kafka; add sinks and the fault count, then {@link #check}. */
    public static Invariants of(String dbUrl, String user, String password, String brokers) {
        return new Invariants(dbUrl, user, password, brokers);
    }

    public static Summary check(String dbUrl, String user, String password, String brokers, Outcomes outcomes)
            throws SQLException {
        return of(dbUrl, user, password, brokers).check(outcomes);
    }

    public Invariants sink(Sink sink) {
        sinks.add(sink);
        return this;
    }

    /** How many faults the suite injected, for the summary: asked at its end (a flaky sink keeps failing). */
    public Invariants faults(IntSupplier count) {
        faults = count;
        return this;
    }

    public Summary check(Outcomes outcomes) throws SQLException {
        List<String> violations = new ArrayList<>();
        Map<String, Integer> read = new LinkedHashMap<>();
        try (Connection db = DriverManager.getConnection(dbUrl, user, password)) {
            checkKept(db, outcomes, violations);
            await().atMost(PATIENCE).until(() -> count(db, "SELECT count(*) FROM events"
                    + " WHERE published_at IS NULL AND dead_lettered_at IS NULL") == 0);
            Map<String, Integer> versionOf = new HashMap<>();
            Map<String, String> aggregateOf = new HashMap<>();
            Set<String> topics = new HashSet<>();
            try (PreparedStatement statement = db.prepareStatement(
                    "SELECT event_id, aggregate_id, aggregate_version, topic FROM events");
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    versionOf.put(rows.getString(1), rows.getInt(3));
                    aggregateOf.put(rows.getString(1), rows.getString(2));
                    topics.add(rows.getString(4));
                }
            }
            Set<String> aggregates = new HashSet<>(aggregateOf.values());
            try (TopicReader kafka = new TopicReader(brokers, topics.toArray(String[]::new))) {
                List<Sink> all = new ArrayList<>();
                all.add(new Sink("kafka", false, () -> kafka.matching(r -> aggregates.contains(r.key())).stream()
                        .map(r -> {
                            CloudEvent event = TopicReader.cloudEvent(r);
                            return new Delivery(event.getId(), r.key(), new String(r.value(), StandardCharsets.UTF_8));
                        }).toList()));
                all.addAll(sinks);
                for (Sink sink : all) {
                    List<Delivery> deliveries = awaitAll(sink, aggregates, versionOf.keySet());
                    read.put(sink.name(), deliveries.size());
                    checkSink(sink, deliveries, versionOf, outcomes, violations);
                }
            }
            Summary summary = new Summary(outcomes.sent(), Math.max(outcomes.accepted().size(), outcomes.acceptedEvents().size()),
                    outcomes.refused().size(), faults.getAsInt(), versionOf.size(), read, violations);
            System.out.println(summary);
            return summary;
        }
    }

    private static void checkKept(Connection db, Outcomes outcomes, List<String> violations) throws SQLException {
        // one query per table, not per row: a steady-load test accepts tens of thousands of commands
        Map<String, Long> customers = countsOf(db, "SELECT email, count(*) FROM customers"
                + " WHERE email = ANY(?) GROUP BY email", outcomes.accepted().keySet());
        for (String email : outcomes.accepted().keySet()) {
            if (customers.getOrDefault(email, 0L) != 1) {
                violations.add("accepted " + email + " is not in the database");
            }
        }
        Map<String, Long> events = countsOf(db, "SELECT event_id::text, count(*) FROM events"
                + " WHERE event_id = ANY(CAST(? AS uuid[])) GROUP BY event_id", outcomes.acceptedEvents());
        for (String eventId : outcomes.acceptedEvents()) {
            if (events.getOrDefault(eventId, 0L) != 1) {
                violations.add("accepted event " + eventId + " is not in the database");
            }
        }
        for (String marker : outcomes.refused()) {
            if (count(db, "SELECT count(*) FROM customers WHERE email = ? OR full_name = ?", marker, marker) != 0
                    || count(db, "SELECT count(*) FROM events WHERE strpos(envelope, ?) > 0", marker) != 0) {
                violations.add("refused " + marker + " was kept");
            }
        }
    }

    /** The sink's deliveries of these aggregates, once every expected event is among them (or patience ran out). */
    private static List<Delivery> awaitAll(Sink sink, Set<String> aggregates, Set<String> expected) {
        Supplier<List<Delivery>> ours = () -> sink.deliveries().get().stream()
                .filter(d -> aggregates.contains(d.aggregateId())).toList();
        try {
            return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(ours::get, deliveries ->
                    deliveries.stream().map(Delivery::eventId).collect(Collectors.toSet()).containsAll(expected));
        } catch (ConditionTimeoutException e) {
            return ours.get(); // what is missing is reported as lost
        }
    }

    private static void checkSink(Sink sink, List<Delivery> deliveries, Map<String, Integer> versionOf,
            Outcomes outcomes, List<String> violations) {
        String name = sink.name();
        Map<String, Integer> highestSeen = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Delivery delivery : deliveries) {
            Integer version = versionOf.get(delivery.eventId());
            if (version == null) {
                violations.add(name + ": phantom event " + delivery.eventId() + " (not in the database)");
                continue;
            }
            if (seen.add(delivery.eventId())) {
                int previous = highestSeen.getOrDefault(delivery.aggregateId(), 0);
                if (version != previous + 1) {
                    violations.add(name + ": order: " + delivery.aggregateId() + " version " + version + " after "
                            + previous);
                }
                highestSeen.put(delivery.aggregateId(), version);
            } else if (sink.exactlyOnce()) {
                violations.add(name + ": event " + delivery.eventId() + " delivered more than once");
            }
            outcomes.refused().stream().filter(delivery.body()::contains)
                    .forEach(marker -> violations.add(name + ": refused " + marker + " was delivered"));
        }
        versionOf.keySet().stream().filter(id -> !seen.contains(id))
                .forEach(id -> violations.add(name + ": lost event " + id));
    }

    /** Rows of (key, count) for the given keys, passed as one text array. */
    private static Map<String, Long> countsOf(Connection db, String sql, Set<String> keys) throws SQLException {
        Map<String, Long> counts = new HashMap<>();
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setArray(1, db.createArrayOf("text", keys.toArray()));
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    counts.put(row.getString(1), row.getLong(2));
                }
            }
        }
        return counts;
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
}
