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
import dev.herald.bridge.webhook.WebhookReceiver.Received;
import dev.herald.testing.Engines;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Endpoint signing secrets are stored encrypted; key rotation, a missing key, clear rows from before. */
class SecretsAtRestTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void theDatabaseHoldsNoSecretAndDeliveriesStillVerify() throws Exception {
        String key = newKey();
        Map<String, String> settings = settings(Engines.get().freshSchema(), key, "");
        try (WebhookReceiver receiver = new WebhookReceiver(); TestHub hub = WebhookHubs.start(settings)) {
            JsonNode endpoint = endpoint(hub, "{\"url\":\"" + receiver.url() + "\"}");
            String id = endpoint.get("id").asText();
            String first = endpoint.get("secret").asText();
            String second = hub.http.post("/api/webhooks/endpoints/" + id + "/secret/rotate", "").json()
                    .get("secret").asText();

            String[] stored = stored(hub, id);
            for (String column : stored) {
                assertThat(column).startsWith("enc:v1:" + keyId(key) + ":").doesNotContain("whsec_")
                        .doesNotContain(first.substring(6)).doesNotContain(second.substring(6));
            }
            String aggregate = customer(hub, "Encrypted");
            Received request = await().atMost(PATIENCE).until(() -> receiver.forAggregate(aggregate),
                    r -> r.size() == 1).get(0);
            request.verify(first);
            request.verify(second);
        }
    }

    @Test
    void aNewKeyWithTheOldAsPreviousReencryptsAndAHubWithAWrongKeyDoesNotStart(@TempDir Path dir) throws Exception {
        String schema = Engines.get().freshSchema();
        String oldKey = newKey();
        String newKey = newKey();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String secret;
            String id;
            try (TestHub hub = WebhookHubs.start(settings(schema, oldKey, ""))) {
                JsonNode endpoint = endpoint(hub, "{\"url\":\"" + receiver.url() + "\"}");
                secret = endpoint.get("secret").asText();
                id = endpoint.get("id").asText();
                assertThat(stored(hub, id)[0]).startsWith("enc:v1:" + keyId(oldKey) + ":");
            }

            // the new key from a file, as a mounted secret (with its trailing newline)
            Path keyFile = Files.writeString(dir.resolve("webhook-key"), newKey + "\n");
            Map<String, String> rotated = settings(schema, "", oldKey);
            rotated.put("herald.webhooks.secret-key-file", keyFile.toString());
            try (TestHub hub = WebhookHubs.start(rotated)) {
                assertThat(stored(hub, id)[0]).startsWith("enc:v1:" + keyId(newKey) + ":");
                String aggregate = customer(hub, "Rotated Key");
                await().atMost(PATIENCE).until(() -> receiver.forAggregate(aggregate), r -> r.size() == 1).get(0)
                        .verify(secret);
            }
            // re-encrypted for good: the old key is no longer needed
            try (TestHub hub = WebhookHubs.start(settings(schema, newKey, ""))) {
                assertThat(stored(hub, id)[0]).startsWith("enc:v1:" + keyId(newKey) + ":");
            }

            assertThatThrownBy(() -> WebhookHubs.start(settings(schema, newKey(), "")).close())
                    .rootCause().hasMessageContaining(id).hasMessageContaining(keyId(newKey))
                    .hasMessageContaining("herald.webhooks.previous-secret-keys");
        }
    }

    /**
     * The dispatcher keeps opened secrets (OpenedSecrets) by their stored form: a secret changed in the table by
     * another instance, which this one is never told of, signs from the next delivery on. The row is written here
     * as another instance's rotation writes it, without the overlap, so the old secret must no longer sign.
     */
    @Test
    void aSecretChangedByAnotherInstanceSignsTheNextDeliveryAlthoughTheOldOneWasOpened() throws Exception {
        String key = newKey();
        try (WebhookReceiver receiver = new WebhookReceiver();
                TestHub hub = WebhookHubs.start(settings(Engines.get().freshSchema(), key, ""))) {
            JsonNode endpoint = endpoint(hub, "{\"url\":\"" + receiver.url() + "\"}");
            String id = endpoint.get("id").asText();
            String before = endpoint.get("secret").asText();
            String first = customer(hub, "Opened Once");
            await().atMost(PATIENCE).until(() -> receiver.forAggregate(first), r -> r.size() == 1).get(0)
                    .verify(before);

            String after = WebhookEndpoints.newSecret();
            SecretCipher otherInstance = new SecretCipher(SecretCipher.Key.parse(key, "test"), List.of());
            update(hub, "UPDATE webhook_endpoints SET secret = ?, previous_secret = NULL, previous_secret_until = NULL"
                    + " WHERE id = CAST(? AS uuid)", otherInstance.seal(UUID.fromString(id), after), id);
            String second = customer(hub, "Rotated Elsewhere");
            Received request = await().atMost(PATIENCE).until(() -> receiver.forAggregate(second),
                    r -> r.size() == 1).get(0);
            request.verify(after);
            assertThat(request.header("webhook-signature").split(" ")).hasSize(1);
            assertThatThrownBy(() -> request.verify(before)).hasMessageContaining("No matching signature");
        }
    }

    @Test
    void aClearSecretFromBeforeIsEncryptedAtStart() throws Exception {
        String schema = Engines.get().freshSchema();
        String key = newKey();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String secret = WebhookEndpoints.newSecret();
            String id;
            try (TestHub hub = WebhookHubs.start(settings(schema, key, ""))) {
                id = endpoint(hub, "{\"url\":\"" + receiver.url() + "\"}").get("id").asText();
                // as a hub before encryption wrote it
                update(hub, "UPDATE webhook_endpoints SET secret = ? WHERE id = CAST(? AS uuid)", secret, id);
            }
            try (TestHub hub = WebhookHubs.start(settings(schema, key, ""))) {
                assertThat(stored(hub, id)[0]).startsWith("enc:v1:" + keyId(key) + ":").doesNotContain("whsec_");
                String aggregate = customer(hub, "From Before");
                await().atMost(PATIENCE).until(() -> receiver.forAggregate(aggregate), r -> r.size() == 1).get(0)
                        .verify(secret);
            }
        }
    }

    @Test
    void withoutAKeyOneIsGeneratedOnceIntoTheDataDirectory(@TempDir Path dir) throws Exception {
        String schema = Engines.get().freshSchema();
        Map<String, String> settings = settings(schema, "", "");
        settings.put("herald.data.dir", dir.toString());
        Path file = dir.resolve(SecretKeyring.GENERATED_FILE);
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String secret;
            try (TestHub hub = WebhookHubs.start(settings)) {
                secret = endpoint(hub, "{\"url\":\"" + receiver.url() + "\"}").get("secret").asText();
            }
            String generated = Files.readString(file).strip();
            assertThat(Base64.getDecoder().decode(generated)).hasSize(32);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            try (TestHub hub = WebhookHubs.start(settings)) {
                assertThat(Files.readString(file).strip()).isEqualTo(generated);
                assertThat(hub.queryLong("SELECT count(*) FROM webhook_endpoints WHERE secret LIKE ?",
                        "enc:v1:" + keyId(generated) + ":%")).isEqualTo(1);
                String aggregate = customer(hub, "Generated Key");
                await().atMost(PATIENCE).until(() -> receiver.forAggregate(aggregate), r -> r.size() == 1).get(0)
                        .verify(secret);
            }
        }
    }


    /** secret and, when set, previous_secret as the database holds them. */
    private static String[] stored(TestHub hub, String id) throws Exception {
        try (Connection connection = hub.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT secret, previous_secret FROM webhook_endpoints WHERE id = CAST(? AS uuid)")) {
            select.setString(1, id);
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                return row.getString(2) == null ? new String[] {row.getString(1)}
                        : new String[] {row.getString(1), row.getString(2)};
            }
        }
    }

    private static void update(TestHub hub, String sql, Object... parameters) throws Exception {
        try (Connection connection = hub.dataSource().getConnection();
                PreparedStatement update = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                update.setObject(i + 1, parameters[i]);
            }
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }
}
