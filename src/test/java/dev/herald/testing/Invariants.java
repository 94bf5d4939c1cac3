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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The invariant checker the fault suites end with, reading the database and Kafka (read_committed):
 * every accepted command kept and its event published; nothing kept or published for a refused one; no
 * event in Kafka the database does not have; each aggregate's events in version order, a repeat only as a
 * same-id redelivery.
 */
public final class Invariants {

    /** Customers created by email: accepted (email -> aggregate id) and refused emails. */
    public record Outcomes(Map<String, String> accepted, Set<String> refused) {
    }

    public record Summary(int accepted, int refused, int eventsChecked, int recordsRead, List<String> violations) {
        @Override
        public String toString() {
            return "invariants: " + accepted + " accepted, " + refused + " refused, " + eventsChecked
                    + " events checked against " + recordsRead + " Kafka records, " + violations.size()
                    + " violations" + (violations.isEmpty() ? "" : ": " + violations);
        }
    }

    private Invariants() {
    }

    public static Summary check(String dbUrl, String user, String password, String brokers, Outcomes outcomes)
            throws SQLException {
        List<String> violations = new ArrayList<>();
        try (Connection db = DriverManager.getConnection(dbUrl, user, password)) {
            for (String email : outcomes.accepted().keySet()) {
                if (count(db, "SELECT count(*) FROM customers WHERE email = ?", email) != 1) {
                    violations.add("accepted " + email + " is not in the database");
                }
            }
            for (String email : outcomes.refused()) {
                if (count(db, "SELECT count(*) FROM customers WHERE email = ?", email) != 0) {
                    violations.add("refused " + email + " was kept");
                }
            }
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    count(db, "SELECT count(*) FROM events WHERE published_at IS NULL AND dead_lettered_at IS NULL",
                            null) == 0);
            Map<String, Integer> versionOf = new HashMap<>();
            Map<String, String> aggregateOf = new HashMap<>();
            try (PreparedStatement statement = db.prepareStatement(
                    "SELECT event_id, aggregate_id, aggregate_version FROM events WHERE topic = 'customers'");
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    versionOf.put(rows.getString(1), rows.getInt(3));
                    aggregateOf.put(rows.getString(1), rows.getString(2));
                }
            }
            try (TopicReader kafka = new TopicReader(brokers, "customers")) {
                Set<String> aggregates = new HashSet<>(aggregateOf.values());
                await().atMost(Duration.ofSeconds(60)).until(() -> kafka.matching(r -> aggregates.contains(r.key()))
                        .stream().map(r -> TopicReader.cloudEvent(r).getId()).distinct().count() >= versionOf.size());
                List<ConsumerRecord<String, byte[]>> records = kafka.matching(r -> aggregates.contains(r.key()));
                Map<String, Integer> highestSeen = new HashMap<>();
                Set<String> seen = new HashSet<>();
                for (ConsumerRecord<String, byte[]> record : records) {
                    CloudEvent event = TopicReader.cloudEvent(record);
                    Integer version = versionOf.get(event.getId());
                    if (version == null) {
                        violations.add("phantom: event " + event.getId() + " is in Kafka but not in the database");
                        continue;
                    }
                    if (seen.add(event.getId())) {
                        int previous = highestSeen.getOrDefault(record.key(), 0);
                        if (version != previous + 1) {
                            violations.add("order: " + record.key() + " version " + version + " after " + previous);
                        }
                        highestSeen.put(record.key(), version);
                    }
                    String value = new String(record.value(), StandardCharsets.UTF_8);
                    outcomes.refused().stream().filter(value::contains)
                            .forEach(email -> violations.add("refused " + email + " was published"));
                }
                versionOf.keySet().stream().filter(id -> !seen.contains(id))
                        .forEach(id -> violations.add("lost: event " + id + " was never published"));
                Summary summary = new Summary(outcomes.accepted().size(), outcomes.refused().size(), versionOf.size(),
                        records.size(), violations);
                System.out.println(summary);
                return summary;
            }
        }
    }

    private static long count(Connection db, String sql, String parameter) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            if (parameter != null) {
                statement.setString(1, parameter);
            }
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
