package dev.herald.bridge.webhook;

import static dev.herald.bridge.webhook.WebhookHubs.customer;
import static dev.herald.bridge.webhook.WebhookHubs.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.bridge.webhook.WebhookReceiver.Answer;
import dev.herald.bridge.webhook.WebhookReceiver.Received;
import dev.herald.testing.HttpApi.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An endpoint failing too long is disabled (events kept), oversized bodies are refused, rate limits space sends. */
class EndpointHealthTest extends WebhookHubTest {

    @BeforeAll
    static void start() {
        hub = WebhookHubs.start(Map.of("herald.webhooks.disable-after", "300",
                "herald.webhooks.retry-schedule", "0," + String.join(",", Collections.nCopies(100, "100")),
                "herald.webhooks.max-request-body", "1500"));
    }

    @Test
    void anEndpointFailingLongerThanDisableAfterIsDisabledAndKeepsItsEvents() {
        try (WebhookReceiver receiver = new WebhookReceiver().answering(request -> Answer.status(500))) {
            String endpointId = endpoint(hub, "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"customer.*\"]}")
                    .get("id").asText();
            String id = customer(hub, "Unlucky");

            JsonNode disabled = await().atMost(PATIENCE).until(() -> hub.http.get("/api/webhooks/endpoints/"
                    + endpointId).json(), e -> !e.get("enabled").asBoolean());
            assertThat(disabled.get("disabled_reason").asText()).contains("disable-after");
            assertThat(disabled.get("pending").asInt()).isPositive();
            assertThat(hub.queryLong("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = CAST(? AS uuid)"
                    + " AND aggregate_id = ? AND status = 'pending'", endpointId, id)).isEqualTo(1);
            assertThat(hub.queryLong("SELECT count(*) FROM dead_letters WHERE aggregate_id = ?", id)).isZero();
            await().atMost(PATIENCE).until(() -> hub.http.get("/observe/metrics").body(), metrics ->
                    metrics.contains("herald_webhooks_queue_depth{endpoint=\"" + endpointId + "\"} 1.0")
                            && !metrics.contains("herald_webhooks_endpoints_disabled 0.0"));
        }
    }

    @Test
    void anEventTooLargeToSendIsDeadLetteredAtOnce() {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            endpoint(hub, "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"order.*\"]}");
            String customer = customer(hub, "Big Spender");
            List<String> items = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                items.add("{\"product_id\":\"product-" + i + "\",\"quantity\":1,\"unit_price\":1.5}");
            }
            Response order = hub.http.post("/api/orders", "{\"customer_id\":\"" + customer + "\",\"items\":["
                    + String.join(",", items) + "]}");
            assertThat(order.status()).as(order.toString()).isEqualTo(201);
            String id = order.json().get("aggregate_id").asText();

            await().atMost(PATIENCE).until(() -> hub.queryLong("SELECT count(*) FROM dead_letters WHERE stage = "
                    + "'webhook' AND aggregate_id = ? AND failure_count = 1 AND failure_reason LIKE '%max-request-body%'",
                    id) == 1);
            assertThat(receiver.received()).isEmpty();
        }
    }

    @Test
    void aRateLimitSpacesTheRequests() {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            endpoint(hub, "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"customer.created\"],\"rate_limit\":4}");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(customer(hub, "Metered " + i));
            }
            await().atMost(PATIENCE).until(() -> ids.stream().allMatch(id -> receiver.forAggregate(id).size() == 1));
            List<Long> times = ids.stream().map(id -> receiver.forAggregate(id).get(0)).map(Received::receivedNanos)
                    .sorted().toList();
            // four per second: five requests span at least four intervals of 250 ms
            assertThat(Duration.ofNanos(times.get(4) - times.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }
}
