package dev.herald.bridge.webhook;

import static dev.herald.bridge.webhook.WebhookHubs.customer;
import static dev.herald.bridge.webhook.WebhookHubs.endpoint;
import static dev.herald.bridge.webhook.WebhookHubs.keyId;
import static dev.herald.bridge.webhook.WebhookHubs.newKey;
import static dev.herald.bridge.webhook.WebhookHubs.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.Engines;
import dev.herald.testing.TestHub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instances sharing one database must share herald.webhooks.secret-key: a second hub with another key (or none,
 * hence a generated one) does not start beside a running one, whether endpoints exist yet or not, and the error
 * names the setting; with the same key, an endpoint created through one instance is signed by the other.
 */
class SecretKeyInstancesTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void aSecondInstanceWithAnotherKeyOrNoneDoesNotStartEvenBeforeAnyEndpoint(@TempDir Path dir) throws Exception {
        String schema = Engines.get().freshSchema();
        String key = newKey();
        String other = newKey();
        try (WebhookReceiver receiver = new WebhookReceiver();
                TestHub first = WebhookHubs.start(settings(schema, key, ""))) {
            assertThat(first.count("webhook_endpoints")).isZero();

            assertThatThrownBy(() -> WebhookHubs.start(settings(schema, other, "")).close()).rootCause()
                    .hasMessageStartingWith("herald.webhooks.secret-key")
                    .hasMessageContaining("encrypted under key id " + keyId(key))
                    .hasMessageContaining("has key id " + keyId(other))
                    .hasMessageContaining("the same herald.webhooks.secret-key");
            // no key set: the one it would generate is another key as well
            Map<String, String> unset = settings(schema, "", "");
            unset.put("herald.data.dir", dir.toString());
            assertThatThrownBy(() -> WebhookHubs.start(unset).close()).rootCause()
                    .hasMessageStartingWith("herald.webhooks.secret-key")
                    .hasMessageContaining("no herald.webhooks.secret-key is set")
                    .hasMessageContaining("encrypted under key id " + keyId(key));
            assertThat(first.queryLong("SELECT count(*) FROM webhook_secret_key WHERE key_id = ?", keyId(key)))
                    .isEqualTo(1);

            // the same key: an endpoint created through the second is signed by the first
            String secret;
            try (TestHub second = WebhookHubs.start(settings(schema, key, ""))) {
                secret = endpoint(second, "{\"url\":\"" + receiver.url() + "\"}").get("secret").asText();
            }
            String aggregate = customer(first, "Shared Key");
            await().atMost(PATIENCE).until(() -> receiver.forAggregate(aggregate), r -> r.size() == 1).get(0)
                    .verify(secret);
        }
    }

    @Test
    void withEndpointsTheStartFailsNamingThemAndTheKey() throws Exception {
        String schema = Engines.get().freshSchema();
        String key = newKey();
        String other = newKey();
        try (WebhookReceiver receiver = new WebhookReceiver();
                TestHub first = WebhookHubs.start(settings(schema, key, ""))) {
            JsonNode created = endpoint(first, "{\"url\":\"" + receiver.url() + "\"}");
            assertThatThrownBy(() -> WebhookHubs.start(settings(schema, other, "")).close()).rootCause()
                    .hasMessageContaining(created.get("id").asText())
                    .hasMessageContaining("encrypted under key id " + keyId(key))
                    .hasMessageContaining("give this one their herald.webhooks.secret-key");
            // the first still signs: nothing was changed by the start that failed
            String aggregate = customer(first, "Still Signed");
            await().atMost(PATIENCE).until(() -> receiver.forAggregate(aggregate), r -> r.size() == 1).get(0)
                    .verify(created.get("secret").asText());
        }
    }

    @Test
    void aRotationMovesTheRecordedKey() throws Exception {
        String schema = Engines.get().freshSchema();
        String oldKey = newKey();
        String newKey = newKey();
        try (TestHub first = WebhookHubs.start(settings(schema, oldKey, newKey))) {
            // the second step of a rotation across instances: the new key current on one, the old one previous
            try (TestHub second = WebhookHubs.start(settings(schema, newKey, oldKey))) {
                assertThat(second.queryLong("SELECT count(*) FROM webhook_secret_key WHERE key_id = ?",
                        keyId(newKey))).isEqualTo(1);
            }
            // the old key alone is no longer the database's key
            assertThatThrownBy(() -> WebhookHubs.start(settings(schema, oldKey, "")).close()).rootCause()
                    .hasMessageContaining("encrypted under key id " + keyId(newKey));
            assertThat(first.count("webhook_secret_key")).isEqualTo(1);
        }
    }
}
