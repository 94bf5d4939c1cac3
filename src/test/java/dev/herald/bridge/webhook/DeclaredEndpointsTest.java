package dev.herald.bridge.webhook;

import static dev.herald.bridge.webhook.WebhookHubs.customer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Endpoints declared in a YAML file for static setups. */
class DeclaredEndpointsTest {

    @Test
    void anEndpointDeclaredInTheFileIsDeliveredTo(@TempDir Path dir) throws Exception {
        String secret = WebhookEndpoints.newSecret();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Path file = Files.writeString(dir.resolve("webhooks.yaml"), """
                    endpoints:
                      - name: crm
                        url: %s
                        secret: %s
                        format: legacy
                        event_types: [customer.created]
                        description: the old CRM
                    """.formatted(receiver.url(), secret));
            try (TestHub hub = WebhookHubs.start(Map.of("herald.webhooks.endpoints-file", file.toString()))) {
                JsonNode listed = hub.http.get("/api/webhooks/endpoints").json();
                assertThat(listed).hasSize(1);
                assertThat(listed.get(0).get("declared_in").asText()).isEqualTo("yaml");
                assertThat(listed.get(0).get("format").asText()).isEqualTo("legacy");
                String id = customer(hub, "Static");
                var received = await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().stream()
                        .filter(r -> r.json().at("/data/customer_id").asText().equals(id)).findFirst(), r -> r.isPresent());
                received.get().verify(secret);
                assertThat(received.get().json().get("event_type").asText()).isEqualTo("CustomerCreated");
            }
        }
    }
}
