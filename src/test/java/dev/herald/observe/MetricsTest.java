package dev.herald.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.SharedHub;
import dev.herald.testing.TestHub;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Seed 004's monitoring: Prometheus text at /observe/metrics with what an operator alerts on. */
class MetricsTest {

    private final TestHub hub = SharedHub.get();

    @Test
    void commandsEventsLatencyBacklogAndDeadLettersAreExposed() {
        assertThat(hub.http.post("/api/customers", "{\"full_name\":\"Metered\",\"email\":\"m@example.com\"}")
                .status()).isEqualTo(201);
        assertThat(hub.http.post("/api/customers", "{\"full_name\":\"\"}").status()).isEqualTo(400);

        Response metrics = await().atMost(Duration.ofSeconds(10)).until(() -> hub.http.get("/observe/metrics"),
                r -> r.body().contains("herald_outbox_backlog"));
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).startsWith("text/plain");
        assertThat(metrics.body())
                .contains("herald_commands_total{command=\"customer.create\",outcome=\"accepted\",reason=\"published\"}")
                .contains("herald_commands_total{command=\"customer.create\",outcome=\"rejected\","
                        + "reason=\"schema-violation\"}")
                .contains("herald_events_published_total{path=\"lane\",type=\"customer.created\"}")
                .contains("herald_publish_latency_seconds_bucket{path=\"lane\"")
                .contains("herald_outbox_oldest_age_seconds")
                .contains("herald_kafka_unreachable_seconds 0.0")
                .contains("herald_shedding 0.0")
                .contains("jvm_memory_used_bytes");
    }
}
