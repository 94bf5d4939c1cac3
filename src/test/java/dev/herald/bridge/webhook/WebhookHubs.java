package dev.herald.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Hubs for webhook tests: their own topics (the Kafka broker is shared), loopback receivers allowed. */
final class WebhookHubs {

    private WebhookHubs() {
    }

    static Map<String, String> settings(Map<String, String> overrides) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> settings = new HashMap<>();
        settings.put("herald.topics.customers", "customers-" + run);
        settings.put("herald.topics.orders", "orders-" + run);
        settings.put("herald.webhooks.allow-private-networks", "true");
        settings.put("herald.webhooks.retry-schedule", "0,50,100,100");
        settings.put("herald.webhooks.retry-jitter", "0");
        settings.put("herald.webhooks.poll-interval", "50");
        settings.put("herald.webhooks.timeout", "2000");
        settings.putAll(overrides);
        return settings;
    }

    /** The settings of a hub on {@code schema} with these webhook secret keys (empty: none). */
    static Map<String, String> settings(String schema, String key, String previous) {
        Map<String, String> settings = new HashMap<>(settings(Map.of("herald.db.url", schema)));
        settings.put("herald.webhooks.secret-key", key);
        settings.put("herald.webhooks.previous-secret-keys", previous);
        return settings;
    }

    /** A new herald.webhooks.secret-key: base64 of 32 random bytes. */
    static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** The key id the database and the errors name a key by. */
    static String keyId(String key) {
        return SecretCipher.Key.parse(key, "test").id();
    }

    static TestHub start(Map<String, String> overrides) {
        return TestHub.start(settings(overrides));
    }

    /** Declares an endpoint; answers its JSON (with the one-time secret). */
    static JsonNode endpoint(TestHub hub, String json) {
        Response created = hub.http.post("/api/webhooks/endpoints", json);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    /** A new customer (customer.created, version 1); answers its id. */
    static String customer(TestHub hub, String name) {
        Response created = hub.http.post("/api/customers",
                "{\"full_name\":\"" + name + "\",\"email\":\"" + name.toLowerCase().replace(' ', '.') + "@example.com\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("aggregate_id").asText();
    }

    static void rename(TestHub hub, String id, String name) {
        Response updated = hub.http.put("/api/customers/" + id, "{\"full_name\":\"" + name + "\"}");
        assertThat(updated.status()).as(updated.toString()).isEqualTo(201);
    }
}
