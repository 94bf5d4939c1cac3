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
        try (EmbeddedKafka kafka = new EmbeddedKafka(kafkaDir, 0).start();
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

    private static String customer(String email) {
        return "{\"full_name\":\"Outage\",\"email\":\"" + email + "\"}";
    }
}
