package dev.herald.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LISTEN/NOTIFY: a committed outbox event wakes the relay; polling is only the fallback. */
class RelayWakeupTest {

    @Test
    void anOutboxEventIsPublishedLongBeforeTheNextPoll() {
        // polling every 10 minutes: only the notification can publish within the wait below
        try (TestHub hub = TestHub.start(Map.of("herald.publish.mode", "outbox",
                "herald.relay.interval", "600000"))) {
            for (int i = 0; i < 3; i++) {
                Response accepted = hub.http.post("/api/customers",
                        "{\"full_name\":\"Woken\",\"email\":\"woken@example.com\"}");
                assertThat(accepted.status()).isEqualTo(202);
                String id = accepted.json().get("aggregate_id").asText();
                await().atMost(Duration.ofSeconds(20)).until(() -> hub.queryLong(
                        "SELECT count(*) FROM events WHERE aggregate_id = ? AND published_at IS NOT NULL", id) == 1);
            }
        }
    }
}
