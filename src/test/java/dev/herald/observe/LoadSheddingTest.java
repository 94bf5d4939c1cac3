package dev.herald.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.embedded.EmbeddedKafka;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 000's intent: refuse new commands (503, nothing kept) rather than pile up; accepted ones still arrive. */
class LoadSheddingTest {

    @Test
    void aBacklogOverTheLimitShedsNewCommandsUntilTheRelayDrainsIt(@TempDir Path kafkaDir) {
        try (EmbeddedKafka kafka = new EmbeddedKafka(kafkaDir, 0).durable(false).start();
                TestHub hub = TestHub.start(Map.of("herald.kafka.brokers", kafka.bootstrapServers(),
                        "herald.publish.mode", "outbox", "herald.shed.max-backlog", "3",
                        "herald.shed.broker-down-after", "0", "herald.observe.interval", "100",
                        "herald.relay.interval", "100", "herald.relay.max-backoff", "500"))) {
            kafka.stop();
            List<String> accepted = new ArrayList<>();
            Response shed = await().atMost(Duration.ofSeconds(30)).until(() -> {
                Response response = hub.http.post("/api/customers", customer("backlog@example.com"));
                if (response.status() == 202) {
                    accepted.add(response.json().get("aggregate_id").asText());
                }
                return response;
            }, response -> response.status() == 503);

            assertThat(accepted).hasSizeGreaterThanOrEqualTo(3);
            assertThat(shed.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(shed.header("Retry-After")).isNotBlank();
            assertThat(shed.json().get("type").asText()).isEqualTo("urn:herald:problem:shedding");
            assertThat(shed.json().get("detail").asText()).contains("events wait to be published");
            assertThat(hub.count("customers")).isEqualTo(accepted.size());
            assertThat(hub.http.get("/observe/metrics").body()).contains("herald_shedding 1.0")
                    .contains("herald_commands_total{command=\"customer.create\",outcome=\"rejected\","
                            + "reason=\"shedding\"}");

            kafka.start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> hub.http.post("/api/customers", customer("drained@example.com")).status() == 202);
            try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), "customers")) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> accepted.stream().allMatch(id -> reader.recordsFor(id).size() == 1));
            }
        }
    }

    /** A circuit breaker for sync mode: once Kafka has been down long enough, refuse at once, not after a timeout. */
    @Test
    void kafkaUnreachableTooLongShedsAtOnceAndRecoversWhenItAnswers(@TempDir Path kafkaDir) {
        try (EmbeddedKafka kafka = new EmbeddedKafka(kafkaDir, 0).durable(false).start();
                TestHub hub = TestHub.start(Map.of("herald.kafka.brokers", kafka.bootstrapServers(),
                        "herald.publish.timeout", "1000", "herald.shed.broker-down-after", "500",
                        "herald.observe.interval", "100"))) {
            // the first transaction on a fresh broker may outlast the short timeout on a busy machine
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> hub.http.post("/api/customers", customer("up@example.com")).status() == 201);
            kafka.stop();
            Response shed = await().atMost(Duration.ofSeconds(30)).until(
                    () -> hub.http.post("/api/customers", customer("down@example.com")),
                    response -> response.json().get("type").asText().endsWith(":shedding"));
            assertThat(shed.status()).isEqualTo(503);
            assertThat(shed.json().get("detail").asText()).contains("Kafka has been unreachable");
            assertThat(hub.queryLong("SELECT count(*) FROM customers WHERE email = 'down@example.com'")).isZero();

            kafka.start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> hub.http.post("/api/customers", customer("back@example.com")).status() == 201);
        }
    }

    private static String customer(String email) {
        return "{\"full_name\":\"Shed\",\"email\":\"" + email + "\"}";
    }
}
