package dev.herald.bridge.webhook;

import static dev.herald.bridge.webhook.WebhookHubs.customer;
import static dev.herald.bridge.webhook.WebhookHubs.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.bridge.webhook.WebhookReceiver.Answer;
import dev.herald.testing.HttpApi.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SSRF guard (declaration and send time), no redirects, the CloudEvents validation handshake. */
class WebhookSafetyTest extends WebhookHubTest {

    @BeforeAll
    static void start() {
        // private networks refused; only the name "localhost" is allowed, as a developer would list it
        hub = WebhookHubs.start(Map.of("herald.webhooks.allow-private-networks", "false",
                "herald.webhooks.allowed-hosts", "localhost"));
    }

    @Test
    void privateTargetsAreRefusedUnlessAllowed() {
        for (String url : new String[] {"http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://192.168.0.10/",
                "http://169.254.169.254/latest/meta-data", "http://[::1]:8080/", "http://0.0.0.0/", "http://100.64.0.1/"}) {
            Response refused = hub.http.post("/api/webhooks/endpoints", "{\"url\":\"" + url + "\"}");
            assertThat(refused.status()).as(url + " -> " + refused).isEqualTo(422);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
            assertThat(refused.json().get("type").asText()).isEqualTo("urn:herald:problem:webhook-target-refused");
        }
        assertThat(hub.http.post("/api/webhooks/endpoints", "{\"url\":\"file:///etc/passwd\"}").status()).isEqualTo(400);
        assertThat(hub.http.post("/api/webhooks/endpoints", "{\"url\":\"http://user:pw@localhost/x\"}").status())
                .isEqualTo(422);
    }

    @Test
    void anAllowedHostIsDeliveredTo() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String url = receiver.url().replace("127.0.0.1", "localhost");
            String secret = endpoint(hub, "{\"url\":\"" + url + "\"}").get("secret").asText();
            String id = customer(hub, "Allowed");
            await().atMost(PATIENCE).until(() -> receiver.forAggregate(id).size() == 1);
            receiver.forAggregate(id).get(0).verify(secret);
        }
    }

    @Test
    void aPrivateTargetIsRefusedAtSendTimeToo() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            // as if the name had resolved to a public address when declared (DNS rebinding)
            try (Connection connection = hub.dataSource().getConnection();
                    PreparedStatement insert = connection.prepareStatement("INSERT INTO webhook_endpoints (id, url, "
                            + "secret) VALUES (gen_random_uuid(), ?, ?)")) {
                insert.setString(1, receiver.url());
                insert.setString(2, WebhookEndpoints.newSecret());
                insert.executeUpdate();
            }
            String id = customer(hub, "Rebound");
            await().atMost(PATIENCE).until(() -> hub.queryLong("SELECT count(*) FROM dead_letters WHERE stage = 'webhook'"
                    + " AND aggregate_id = ? AND destination = ? AND failure_reason LIKE '%refused target%'",
                    id, receiver.url()) == 1);
            assertThat(receiver.received()).isEmpty();
        }
    }

    @Test
    void redirectsAreNotFollowed() {
        try (WebhookReceiver target = new WebhookReceiver();
                WebhookReceiver redirecting = new WebhookReceiver().answering(request ->
                        new Answer(307, Map.of("Location", target.url().replace("127.0.0.1", "localhost")), ""))) {
            String endpointId = endpoint(hub, "{\"url\":\"" + redirecting.url().replace("127.0.0.1", "localhost")
                    + "\"}").get("id").asText();
            String id = customer(hub, "Redirected");
            await().atMost(PATIENCE).until(() -> hub.queryLong("SELECT count(*) FROM webhook_deliveries WHERE"
                    + " endpoint_id = CAST(? AS uuid) AND aggregate_id = ? AND status = 'dead' AND last_status = 307",
                    endpointId, id) == 1);
            assertThat(target.received()).isEmpty();
        }
    }

    @Test
    void anEndpointAskingForTheHandshakeMustAllowOurOrigin() {
        try (WebhookReceiver willing = new WebhookReceiver().answering(request -> request.method().equals("OPTIONS")
                && "herald".equals(request.header("webhook-request-origin"))
                        ? new Answer(200, Map.of("WebHook-Allowed-Origin", "herald"), "") : Answer.ok());
                WebhookReceiver unwilling = new WebhookReceiver().answering(request -> Answer.status(405))) {
            endpoint(hub, "{\"url\":\"" + willing.url().replace("127.0.0.1", "localhost") + "\",\"validate\":true}");
            assertThat(willing.received()).extracting(WebhookReceiver.Received::method).contains("OPTIONS");
            Response refused = hub.http.post("/api/webhooks/endpoints", "{\"url\":\""
                    + unwilling.url().replace("127.0.0.1", "localhost") + "\",\"validate\":true}");
            assertThat(refused.status()).isEqualTo(422);
            assertThat(refused.json().get("type").asText()).isEqualTo("urn:herald:problem:webhook-handshake-refused");
        }
    }
}
