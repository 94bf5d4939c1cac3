package dev.herald.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.Engines;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubProcess;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import io.cloudevents.CloudEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The hub killed with SIGKILL under load, twice, then restarted on the same database: every accepted command
 * is kept and its event published once per event id; nothing is kept for a refused one.
 */
class CrashTest {

    @Test
    void sigkillUnderLoadTwiceLosesNothingAccepted() throws Exception {
        Engines engines = Engines.get();
        String db = engines.freshSchema();
        Path logs = Files.createTempDirectory("herald-crash-test");
        Map<String, String> settings = new HashMap<>(Map.of("herald.db.url", db,
                "herald.db.user", engines.user(), "herald.db.password", engines.password(),
                "herald.kafka.brokers", engines.kafkaBrokers(), "herald.instance.id", "crash-" + UUID.randomUUID(),
                "herald.data.dir", logs.resolve("data").toString(), "herald.relay.interval", "200",
                "herald.relay.lease", "5000", "herald.publish.timeout", "3000"));
        int port = TestHub.freePort();
        Map<String, String> accepted = new ConcurrentHashMap<>();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        AtomicReference<HubProcess> current = new AtomicReference<>();
        ExecutorService writers = Executors.newFixedThreadPool(3);
        try {
            current.set(HubProcess.start(settings, port, logs.resolve("hub.log")));
            for (int w = 0; w < 3; w++) {
                writers.submit(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        String email = UUID.randomUUID() + "@example.com";
                        try {
                            Response answer = current.get().http.post("/api/customers",
                                    "{\"full_name\":\"Crash\",\"email\":\"" + email + "\"}");
                            if (answer.status() == 201 || answer.status() == 202) {
                                accepted.put(email, answer.json().get("aggregate_id").asText());
                            } else if (answer.status() >= 400 && answer.status() < 500) {
                                refused.add(email);
                            }
                        } catch (RuntimeException e) {
                            // killed mid-request: outcome unknown, not checked
                        }
                    }
                });
            }
            for (int crash = 1; crash <= 2; crash++) {
                int target = accepted.size() + 30;
                await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= target);
                current.get().kill();
                current.set(HubProcess.start(settings, port, logs.resolve("hub.log")));
            }
            int target = accepted.size() + 30;
            await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= target);
        } finally {
            writers.shutdownNow();
            assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        try (HubProcess hub = current.get();
                Connection connection = DriverManager.getConnection(db, engines.user(), engines.password())) {
            for (String email : accepted.keySet()) {
                assertThat(count(connection, "SELECT count(*) FROM customers WHERE email = ?", email)).as(email)
                        .isEqualTo(1);
            }
            await().atMost(Duration.ofSeconds(60)).until(
                    () -> count(connection, "SELECT count(*) FROM events WHERE published_at IS NULL", null) == 0);
            try (TopicReader kafka = new TopicReader(engines.kafkaBrokers(), "customers")) {
                Set<String> ids = Set.copyOf(accepted.values());
                await().atMost(Duration.ofSeconds(30)).until(() -> kafka.matching(r -> ids.contains(r.key()))
                        .stream().map(ConsumerRecord::key).collect(Collectors.toSet()).size() == ids.size());
                List<ConsumerRecord<String, byte[]>> ours = kafka.matching(r -> ids.contains(r.key()));
                Map<String, Set<String>> eventIdsPerAggregate = ours.stream().collect(Collectors.groupingBy(
                        ConsumerRecord::key, Collectors.mapping(r -> TopicReader.cloudEvent(r).getId(),
                                Collectors.toSet())));
                // a create makes one event: redeliveries after a crash carry the same id
                assertThat(eventIdsPerAggregate.values()).allMatch(set -> set.size() == 1);
                List<CloudEvent> all = kafka.matching(r -> true).stream().map(TopicReader::cloudEvent).toList();
                assertThat(all).noneMatch(event -> refused.stream()
                        .anyMatch(email -> new String(event.getData().toBytes()).contains(email)));
            }
        }
    }

    private static long count(Connection connection, String sql, String parameter) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
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
