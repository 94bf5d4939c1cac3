package dev.herald.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.embedded.EmbeddedKafka;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 000: with the broker down a command is refused with 503 and nothing of it is kept anywhere. */
class BrokerOutageTest {

    @Test
    void brokerDownMeans503AndNothingKeptThenServiceResumes(@TempDir Path kafkaDir) {
        try (EmbeddedKafka kafka = new EmbeddedKafka(kafkaDir, 0).durable(false).start();
                TestHub hub = TestHub.start(Map.of("herald.kafka.brokers", kafka.bootstrapServers(),
                        "herald.publish.timeout", "2000"))) {
            assertThat(hub.http.post("/api/customers", customer("before@example.com")).status()).isEqualTo(201);
            long events = hub.count("events");

            kafka.stop();
            Response refused = hub.http.post("/api/customers", customer("during@example.com"));

            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(refused.header("Retry-After")).isNotBlank();
            JsonNode problem = refused.json();
            assertThat(problem.get("type").asText()).isIn("urn:herald:problem:broker-unavailable",
                    "urn:herald:problem:publish-timeout");
            assertThat(problem.get("detail").asText()).contains("nothing was kept");
            assertThat(hub.queryLong("SELECT count(*) FROM customers WHERE email = ?", "during@example.com")).isZero();
            assertThat(hub.count("events")).isEqualTo(events);

            kafka.start();
            String key = UUID.randomUUID().toString();
            Response resumed = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> hub.http.post("/api/customers", customer("after@example.com"), "Idempotency-Key", key),
                            r -> r.status() == 201);
            assertThat(hub.count("events")).isEqualTo(events + 1);

            try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), "customers")) {
                String after = resumed.json().get("aggregate_id").asText();
                await().atMost(Duration.ofSeconds(20)).until(() -> reader.recordsFor(after).size() == 1);
                List<ConsumerRecord<String, byte[]>> all = reader.matching(r -> true);
                assertThat(all).hasSize(2);
                assertThat(all).noneMatch(r -> new String(r.value(), StandardCharsets.UTF_8)
                        .contains("during@example.com"));
            }
        }
    }

    /**
     * An aggregate whose event waits in the outbox (as after a Kafka commit that failed behind a database
     * commit) queues its next command behind it: 202 even while the broker is down, next to sync commands
     * that are refused in the same lane, and the relay later publishes both in version order.
     */
    @Test
    void aCommandQueuedBehindAWaitingEventIsAcceptedWhileTheBrokerIsDown(@TempDir Path kafkaDir) {
        try (EmbeddedKafka kafka = new EmbeddedKafka(kafkaDir, 0).durable(false).start();
                TestHub hub = TestHub.start(Map.of("herald.kafka.brokers", kafka.bootstrapServers(),
                        "herald.publish.timeout", "2000", "herald.publish.lanes", "1",
                        // one lane lingering for its batch: the refused creates and the queued update meet in it
                        "herald.publish.linger", "300",
                        "herald.relay.interval", "100", "herald.relay.max-backoff", "1000"))) {
            Response created = hub.http.post("/api/customers", customer("queued@example.com"));
            assertThat(created.status()).isEqualTo(201);
            String id = created.json().get("aggregate_id").asText();

            kafka.stop();
            hub.queryLong("WITH waiting AS (UPDATE events SET published_at = NULL, claimed_until = NULL,"
                    + " claimed_by = NULL WHERE aggregate_id = ? RETURNING 1) SELECT count(*) FROM waiting", id);
            var refused = java.util.stream.IntStream.range(0, 4).mapToObj(i -> java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> hub.http.post("/api/customers", customer("refused" + i + "@example.com"))))
                    .toList();
            Response queued = hub.http.put("/api/customers/" + id, "{\"full_name\":\"Queued\"}");

            assertThat(queued.status()).as(queued.toString()).isEqualTo(202);
            assertThat(queued.json().at("/event/status").asText()).isEqualTo("pending");
            assertThat(refused).allSatisfy(r -> assertThat(r.join().status()).isEqualTo(503));

            kafka.start();
            try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), "customers")) {
                List<ConsumerRecord<String, byte[]>> records = await().atMost(Duration.ofSeconds(60))
                        .until(() -> reader.recordsFor(id), r -> r.stream().anyMatch(
                                x -> TopicReader.cloudEvent(x).getExtension("aggregateversion").equals(2)));
                // v1 again (same id, republished from the outbox), then v2: never v2 before v1
                assertThat(records).extracting(r -> TopicReader.cloudEvent(r).getExtension("aggregateversion"))
                        .containsExactly(1, 1, 2);
                assertThat(records.get(0).value()).isEqualTo(records.get(1).value());
            }
        }
    }

    private static String customer(String email) {
        return "{\"full_name\":\"Outage\",\"email\":\"" + email + "\"}";
    }
}
