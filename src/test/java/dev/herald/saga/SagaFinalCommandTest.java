package dev.herald.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.saga.FakeService.Reply;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A saga's final command goes through the command's own route in-process (herald:submit), not as an HTTP request to
 * the hub: once API keys exist it needs none, and it is the command a client would send, keyed by the saga's
 * Idempotency-Key, so the same request sent again is a replay of it (no second state change or event).
 */
class SagaFinalCommandTest {

    private static final String KEY = "saga-final-" + UUID.randomUUID();

    @Test
    void theFinalCommandNeedsNoApiKeyAndIsTheCommandAClientWouldSend() {
        AtomicInteger ids = new AtomicInteger();
        try (FakeService payment = new FakeService((request, attempt) -> new Reply(201,
                        "{\"payment_id\": \"pay-" + ids.incrementAndGet() + "\"}"));
                FakeService inventory = new FakeService((request, attempt) -> new Reply(201,
                        "{\"reservation_id\": \"res-" + ids.incrementAndGet() + "\"}"));
                TestHub hub = TestHub.start(Map.of("herald.security.bootstrap-key", KEY,
                        "herald.security.key-cache", "0",
                        "herald.services.payment.url", payment.url(),
                        "herald.services.inventory.url", inventory.url(),
                        "herald.sagas.interval", "50"))) {
            Response customer = hub.http.post("/api/customers", "{\"full_name\":\"Keyed Buyer\",\"email\":"
                    + "\"keyed@example.com\"}", "Authorization", "Bearer " + KEY);
            assertThat(customer.status()).as(customer.toString()).isEqualTo(201);
            Response placed = hub.http.post("/api/orders", "{\"customer_id\":\"" + customer.json().path("aggregate_id")
                    .asText() + "\",\"items\":[{\"product_id\":\"book\",\"quantity\":1,\"unit_price\":9}]}",
                    "Authorization", "Bearer " + KEY);
            assertThat(placed.status()).as(placed.toString()).isIn(201, 202);
            String order = placed.json().path("aggregate_id").asText();

            await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryLong(
                    "SELECT count(*) FROM sagas WHERE correlation_id = ? AND ended_at IS NOT NULL", order) == 1);
            JsonNode saga = hub.http.get("/api/sagas?correlation=" + order, "Authorization", "Bearer " + KEY).json()
                    .get(0);
            assertThat(saga.path("status").asText()).isEqualTo("completed");
            assertThat(hub.http.get("/api/orders/" + order, "Authorization", "Bearer " + KEY).json().path("status")
                    .asText()).isEqualTo("confirmed");
            String commandKey = "saga-" + saga.path("saga_id").asText() + "-completed-command";
            assertThat(hub.queryLong("SELECT count(*) FROM commands WHERE idempotency_key = ? AND command_type = "
                    + "'order.confirm' AND aggregate_id = ?", commandKey, order)).isEqualTo(1);

            // what a client sends with the saga's key is the saga's command again: its first answer, replayed
            Response again = hub.http.post("/api/orders/" + order + "/confirm", "{}", "Authorization", "Bearer " + KEY,
                    "Idempotency-Key", commandKey);
            assertThat(again.status()).as(again.toString()).isIn(200, 201, 202);
            assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(hub.queryLong("SELECT count(*) FROM events WHERE event_type = 'order.confirmed' AND "
                    + "aggregate_id = ?", order)).isEqualTo(1);
        }
    }
}
