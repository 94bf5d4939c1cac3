package dev.herald.bridge.webhook;

import static dev.herald.bridge.webhook.WebhookHubs.customer;
import static dev.herald.bridge.webhook.WebhookHubs.endpoint;
import static dev.herald.bridge.webhook.WebhookHubs.rename;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.bridge.webhook.WebhookReceiver.Answer;
import dev.herald.bridge.webhook.WebhookReceiver.Received;
import dev.herald.testing.HttpApi.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Signed delivery in each format, retries, dead letters, 410 and Retry-After, against real loopback receivers. */
class WebhookDeliveryTest extends WebhookHubTest {

    @Test
    void eventsArriveSignedAsTheReferenceLibraryVerifiesThem() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            JsonNode endpoint = endpoint(hub, "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"customer.*\"],"
                    + "\"headers\":{\"X-Partner-Key\":\"k-123\"},\"description\":\"CRM\"}");
            String secret = endpoint.get("secret").asText();
            assertThat(secret).startsWith("whsec_");
            String id = customer(hub, "Signed One");
            rename(hub, id, "Signed Two");

            List<Received> received = await().atMost(PATIENCE).until(() -> receiver.forAggregate(id), r -> r.size() == 2);
            for (Received request : received) {
                request.verify(secret);
                assertThat(request.header("webhook-id")).isEqualTo(request.json().get("id").asText());
                assertThat(request.header("content-type")).startsWith("application/cloudevents+json");
                assertThat(request.header("x-partner-key")).isEqualTo("k-123");
            }
            assertThatThrownBy(() -> received.get(0).verify(WebhookEndpoints.newSecret()))
                    .hasMessageContaining("No matching signature");
            assertThat(received).extracting(r -> r.json().get("type").asText())
                    .containsExactly("customer.created", "customer.updated");

            String endpointId = endpoint.get("id").asText();
            Response deliveries = hub.http.get("/api/webhooks/endpoints/" + endpointId + "/deliveries?status=succeeded");
            assertThat(deliveries.status()).isEqualTo(200);
            JsonNode delivery = find(deliveries.json(), id);
            assertThat(delivery.get("attempts").asInt()).isEqualTo(1);
            JsonNode attempts = hub.http.get("/api/webhooks/endpoints/" + endpointId + "/deliveries/"
                    + delivery.get("id").asText() + "/attempts").json();
            assertThat(attempts).hasSize(1);
            assertThat(attempts.get(0).get("response_status").asInt()).isEqualTo(200);
            assertThat(attempts.get(0).get("response_excerpt").asText()).isEqualTo("ok");
            assertThat(attempts.get(0).at("/request_headers/webhook-signature").asText()).startsWith("v1,");
            assertThat(hub.http.get("/api/webhooks/endpoints/" + endpointId).json().has("secret")).isFalse();
            assertThat(hub.http.get("/observe/metrics").body())
                    .contains("herald_webhooks_deliveries_total{endpoint=\"" + endpointId + "\",outcome=\"success\"}");
        }
    }

    @Test
    void legacyAndBinaryFormatsAreSignedToo() throws Exception {
        try (WebhookReceiver legacy = new WebhookReceiver(); WebhookReceiver binary = new WebhookReceiver()) {
            String legacySecret = endpoint(hub, "{\"url\":\"" + legacy.url() + "\",\"format\":\"legacy\"}")
                    .get("secret").asText();
            String binarySecret = endpoint(hub, "{\"url\":\"" + binary.url() + "\",\"format\":\"cloudevents-binary\"}")
                    .get("secret").asText();
            String id = customer(hub, "Legacy Reader");

            Received old = await().atMost(PATIENCE).until(() -> legacy.received().stream()
                    .filter(r -> r.json().at("/data/customer_id").asText().equals(id)).findFirst().orElse(null),
                    r -> r != null);
            old.verify(legacySecret);
            assertThat(old.json().get("event_type").asText()).isEqualTo("CustomerCreated");
            // the same format as the RabbitMQ bridge's legacy envelope: UTC, whole seconds
            assertThat(old.json().get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
            assertThat(old.json().at("/data/full_name").asText()).isEqualTo("Legacy Reader");

            Received ce = await().atMost(PATIENCE).until(() -> binary.forAggregate(id), r -> r.size() == 1).get(0);
            ce.verify(binarySecret);
            assertThat(ce.header("ce-type")).isEqualTo("customer.created");
            assertThat(ce.header("ce-specversion")).isEqualTo("1.0");
            assertThat(ce.header("ce-id")).isEqualTo(ce.header("webhook-id"));
            assertThat(ce.header("content-type")).isEqualTo("application/json");
            assertThat(ce.json().get("full_name").asText()).isEqualTo("Legacy Reader");
        }
    }

    @Test
    void aFailingReceiverIsRetriedWithTheSameIdUntilItAnswers() {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (WebhookReceiver receiver = new WebhookReceiver().answering(request -> calls.computeIfAbsent(
                request.header("webhook-id"), key -> new AtomicInteger()).incrementAndGet() <= 2
                        ? new Answer(500, Map.of(), "try later") : Answer.ok())) {
            String endpointId = endpoint(hub, "{\"url\":\"" + receiver.url() + "\"}").get("id").asText();
            String id = customer(hub, "Retried");

            List<Received> received = await().atMost(PATIENCE).until(() -> receiver.forAggregate(id), r -> r.size() == 3);
            assertThat(received).extracting(r -> r.header("webhook-id")).containsOnly(received.get(0).header("webhook-id"));
            JsonNode delivery = await().atMost(PATIENCE).until(() -> find(hub.http.get("/api/webhooks/endpoints/"
                    + endpointId + "/deliveries").json(), id), d -> d.get("status").asText().equals("succeeded"));
            JsonNode attempts = hub.http.get("/api/webhooks/endpoints/" + endpointId + "/deliveries/"
                    + delivery.get("id").asText() + "/attempts").json();
            assertThat(attempts).extracting(a -> a.get("response_status").asInt()).containsExactly(500, 500, 200);
            assertThat(attempts.get(0).get("response_excerpt").asText()).isEqualTo("try later");
        }
    }

    @Test
    void anExhaustedDeliveryIsDeadLetteredWithTheLastAnswerAndCanBeRetried() {
        AtomicInteger status = new AtomicInteger(500);
        try (WebhookReceiver receiver = new WebhookReceiver().answering(request ->
                new Answer(status.get(), Map.of(), "boom"))) {
            String endpointId = endpoint(hub, "{\"url\":\"" + receiver.url() + "\"}").get("id").asText();
            String id = customer(hub, "Never Delivered");

            await().atMost(PATIENCE).until(() -> hub.queryLong(
                    "SELECT count(*) FROM dead_letters WHERE stage = 'webhook' AND aggregate_id = ? AND destination = ?",
                    id, receiver.url()) == 1);
            assertThat(receiver.forAggregate(id)).hasSize(4);
            assertThat(hub.queryLong("SELECT failure_count FROM dead_letters WHERE stage = 'webhook' AND aggregate_id = ?"
                    + " AND destination = ? AND failure_reason LIKE '%HTTP 500%boom%'", id, receiver.url())).isEqualTo(4);
            assertThat(find(hub.http.get("/api/webhooks/endpoints/" + endpointId + "/deliveries").json(), id)
                    .get("status").asText()).isEqualTo("dead");

            // an operator sends it back through the dead-letter API once the receiver is fixed
            status.set(200);
            long letter = hub.queryLong("SELECT id FROM dead_letters WHERE stage = 'webhook' AND aggregate_id = ?"
                    + " AND destination = ?", id, receiver.url());
            Response retried = hub.http.post("/api/dead-letters/" + letter + "/retry", "");
            assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
            await().atMost(PATIENCE).until(() -> find(hub.http.get("/api/webhooks/endpoints/" + endpointId
                    + "/deliveries").json(), id).get("status").asText().equals("succeeded"));
            assertThat(receiver.forAggregate(id)).hasSize(5);
        }
    }

    @Test
    void goneDisablesTheEndpointAndKeepsItsDeliveriesForLater() {
        AtomicInteger status = new AtomicInteger(410);
        try (WebhookReceiver receiver = new WebhookReceiver().answering(request -> Answer.status(status.get()))) {
            String endpointId = endpoint(hub, "{\"url\":\"" + receiver.url() + "\"}").get("id").asText();
            String id = customer(hub, "Gone Away");

            JsonNode disabled = await().atMost(PATIENCE).until(() -> hub.http.get("/api/webhooks/endpoints/"
                    + endpointId).json(), e -> !e.get("enabled").asBoolean());
            assertThat(disabled.get("disabled_reason").asText()).contains("410");
            assertThat(hub.queryLong("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = CAST(? AS uuid)"
                    + " AND status = 'pending'", endpointId)).isPositive();

            status.set(200);
            Response enabled = hub.http.raw("PATCH", "/api/webhooks/endpoints/" + endpointId,
                    "{\"enabled\":true}".getBytes(), "Content-Type", "application/json");
            assertThat(enabled.status()).as(enabled.toString()).isEqualTo(200);
            await().atMost(PATIENCE).until(() -> receiver.forAggregate(id).stream()
                    .count() >= 2);
            await().atMost(PATIENCE).until(() -> hub.queryLong("SELECT count(*) FROM webhook_deliveries WHERE"
                    + " endpoint_id = CAST(? AS uuid) AND aggregate_id = ? AND status = 'succeeded'", endpointId, id) == 1);
        }
    }

    @Test
    void retryAfterOf429IsHonoured() {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (WebhookReceiver receiver = new WebhookReceiver().answering(request -> calls.computeIfAbsent(
                request.header("webhook-id"), key -> new AtomicInteger()).incrementAndGet() == 1
                        ? new Answer(429, Map.of("Retry-After", "2"), "slow down") : Answer.ok())) {
            endpoint(hub, "{\"url\":\"" + receiver.url() + "\"}");
            String id = customer(hub, "Patient");

            List<Received> received = await().atMost(PATIENCE).until(() -> receiver.forAggregate(id), r -> r.size() == 2);
            // the schedule alone would retry after 50 ms; Retry-After: 2 means not before two seconds
            assertThat(Duration.ofNanos(received.get(1).receivedNanos() - received.get(0).receivedNanos()))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        }
    }

    @Test
    void duringARotationBothSecretsSign() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            JsonNode endpoint = endpoint(hub, "{\"url\":\"" + receiver.url() + "\"}");
            String before = endpoint.get("secret").asText();
            Response rotated = hub.http.post("/api/webhooks/endpoints/" + endpoint.get("id").asText() + "/secret/rotate", "");
            assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
            String after = rotated.json().get("secret").asText();
            assertThat(after).startsWith("whsec_").isNotEqualTo(before);
            String id = customer(hub, "Rotated");

            Received request = await().atMost(PATIENCE).until(() -> receiver.forAggregate(id), r -> r.size() == 1).get(0);
            request.verify(before);
            request.verify(after);
            assertThat(request.header("webhook-signature").split(" ")).hasSize(2);
        }
    }

    /** The claim reads the endpoint afresh (its parsed headers kept by their JSON): a PATCH shows at the next one. */
    @Test
    void anEndpointsChangedHeadersGoWithItsNextDelivery() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            JsonNode endpoint = endpoint(hub, "{\"url\":\"" + receiver.url() + "\",\"headers\":{\"X-Tenant\":\"acme\"}}");
            String secret = endpoint.get("secret").asText();
            String first = customer(hub, "Header Before");
            Received before = await().atMost(PATIENCE).until(() -> receiver.forAggregate(first), r -> r.size() == 1)
                    .get(0);
            assertThat(before.header("x-tenant")).isEqualTo("acme");

            Response patched = hub.http.raw("PATCH", "/api/webhooks/endpoints/" + endpoint.get("id").asText(),
                    "{\"headers\":{\"X-Tenant\":\"globex\"}}".getBytes(), "Content-Type", "application/json");
            assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
            String second = customer(hub, "Header After");
            Received after = await().atMost(PATIENCE).until(() -> receiver.forAggregate(second), r -> r.size() == 1)
                    .get(0);
            assertThat(after.header("x-tenant")).isEqualTo("globex");
            after.verify(secret);
        }
    }

    @Test
    void badDeclarationsAreAnsweredWithProblems() {
        Response missingUrl = hub.http.post("/api/webhooks/endpoints", "{\"description\":\"no url\"}");
        assertThat(missingUrl.status()).isEqualTo(400);
        assertThat(missingUrl.header("Content-Type")).startsWith("application/problem+json");
        assertThat(hub.http.post("/api/webhooks/endpoints", "{\"url\":\"ftp://example.com/x\"}").status()).isEqualTo(400);
        assertThat(hub.http.post("/api/webhooks/endpoints", "{\"url\":\"http://example.com\",\"format\":\"xml\"}")
                .status()).isEqualTo(400);
        Response reserved = hub.http.post("/api/webhooks/endpoints",
                "{\"url\":\"http://127.0.0.1:9/x\",\"headers\":{\"Webhook-Signature\":\"forged\"}}");
        assertThat(reserved.status()).isEqualTo(422);
        assertThat(reserved.json().get("type").asText()).isEqualTo("urn:herald:problem:webhook-header-reserved");
        Response unknown = hub.http.get("/api/webhooks/endpoints/0193f0e0-0000-7000-8000-000000000000");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.header("Content-Type")).startsWith("application/problem+json");
        assertThat(hub.http.delete("/api/webhooks/endpoints/not-a-uuid").status()).isEqualTo(404);
        assertThat(hub.http.post("/api/webhooks/endpoints/0193f0e0-0000-7000-8000-000000000000/replay?since=yesterday", "")
                .status()).isEqualTo(400);

        String id = endpoint(hub, "{\"url\":\"http://127.0.0.1:9/x\"}").get("id").asText();
        Response emptyPatch = hub.http.raw("PATCH", "/api/webhooks/endpoints/" + id, "{}".getBytes(),
                "Content-Type", "application/json");
        assertThat(emptyPatch.status()).isEqualTo(400);
        Response patched = hub.http.raw("PATCH", "/api/webhooks/endpoints/" + id,
                "{\"description\":\"renamed\",\"event_types\":[\"order.*\"],\"rate_limit\":5}".getBytes(),
                "Content-Type", "application/json");
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.json().get("description").asText()).isEqualTo("renamed");
        assertThat(patched.json().get("event_types").get(0).asText()).isEqualTo("order.*");
        assertThat(hub.http.delete("/api/webhooks/endpoints/" + id).status()).isEqualTo(204);
        assertThat(hub.http.get("/api/webhooks/endpoints/" + id).status()).isEqualTo(404);
    }

    static JsonNode find(JsonNode deliveries, String aggregateId) {
        for (JsonNode delivery : deliveries) {
            if (delivery.get("aggregate_id").asText().equals(aggregateId)) {
                return delivery;
            }
        }
        return null;
    }
}
