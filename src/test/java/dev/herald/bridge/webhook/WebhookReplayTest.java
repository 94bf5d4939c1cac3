package dev.herald.bridge.webhook;

import static dev.herald.bridge.webhook.WebhookHubs.customer;
import static dev.herald.bridge.webhook.WebhookHubs.endpoint;
import static dev.herald.bridge.webhook.WebhookHubs.rename;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.bridge.webhook.WebhookReceiver.Received;
import dev.herald.testing.HttpApi.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replay since a time from the event store, in order; one delivery sent again on request. */
class WebhookReplayTest extends WebhookHubTest {

    @Test
    void replaySendsEveryMatchingEventSinceATimeInOrder() throws Exception {
        try (WebhookReceiver probe = new WebhookReceiver(); WebhookReceiver late = new WebhookReceiver()) {
            endpoint(hub, "{\"url\":\"" + probe.url() + "\"}");
            String before = customer(hub, "Before");
            String first = customer(hub, "First");
            rename(hub, first, "First again");
            String second = customer(hub, "Second");
            rename(hub, second, "Second again");
            rename(hub, second, "Second thrice");
            // the fan-out has seen them all: an endpoint declared now gets them only by replay
            await().atMost(PATIENCE).until(() -> probe.forAggregate(second).size() == 3);
            JsonNode endpoint = endpoint(hub, "{\"url\":\"" + late.url() + "\",\"event_types\":[\"customer.*\"]}");
            String endpointId = endpoint.get("id").asText();

            String since = occurredAt(first);
            Response replay = hub.http.post("/api/webhooks/endpoints/" + endpointId + "/replay?since="
                    + URLEncoder.encode(since, StandardCharsets.UTF_8), "");
            assertThat(replay.status()).as(replay.toString()).isEqualTo(202);
            assertThat(replay.json().get("replayed").asInt()).isEqualTo(5);

            await().atMost(PATIENCE).until(() -> late.forAggregate(first).size() == 2
                    && late.forAggregate(second).size() == 3);
            assertThat(versions(late.forAggregate(second))).containsExactly(1, 2, 3);
            assertThat(versions(late.forAggregate(first))).containsExactly(1, 2);
            assertThat(late.forAggregate(before)).isEmpty();
            for (Received request : late.received()) {
                request.verify(endpoint.get("secret").asText());
            }

            // one delivery again, on request: the same event id, signed afresh
            JsonNode delivery = await().atMost(PATIENCE).until(() -> WebhookDeliveryTest.find(hub.http.get(
                    "/api/webhooks/endpoints/" + endpointId + "/deliveries?status=succeeded").json(), first), d -> d != null);
            Response retry = hub.http.post("/api/webhooks/endpoints/" + endpointId + "/deliveries/"
                    + delivery.get("id").asText() + "/retry", "");
            assertThat(retry.status()).as(retry.toString()).isEqualTo(202);
            List<Received> again = await().atMost(PATIENCE).until(() -> late.forAggregate(first), r -> r.size() == 3);
            assertThat(again.get(2).header("webhook-id")).isEqualTo(delivery.get("event_id").asText());
            assertThat(hub.http.post("/api/webhooks/endpoints/" + endpointId + "/deliveries/999999/retry", "").status())
                    .isEqualTo(404);
        }
    }

    private static List<Integer> versions(List<Received> received) {
        return received.stream().map(r -> r.json().path("aggregateversion").asInt()).toList();
    }

    private static String occurredAt(String aggregateId) throws Exception {
        try (Connection connection = hub.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT occurred_at FROM events WHERE aggregate_id = ? AND aggregate_version = 1")) {
            select.setString(1, aggregateId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getObject(1, java.time.OffsetDateTime.class).toString();
            }
        }
    }
}
