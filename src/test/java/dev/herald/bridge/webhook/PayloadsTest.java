package dev.herald.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import dev.herald.bridge.webhook.Payloads.Outgoing;
import dev.herald.http.JsonBodies;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A stored CloudEvent becomes the endpoint's format, signed per Standard Webhooks: no hub, no engines. */
class PayloadsTest {

    private static final String SECRET = secret("current-secret-32-bytes-long!!!!");
    private static final String PREVIOUS = secret("previous-secret-32-bytes-long!!!");
    private static final String EVENT_ID = "0b7d6f3e-4c1a-4f6e-9a51-2d7c1e0f9b10";
    private static final String ENVELOPE = """
            {"specversion":"1.0","id":"0b7d6f3e-4c1a-4f6e-9a51-2d7c1e0f9b10","source":"/herald",\
            "type":"customer.created","time":"2026-12-06T20:00:00Z","subject":"c-1",\
            "datacontenttype":"application/json","data":{"name":"Ada"}}""";

    private final UUID endpointId = UUID.randomUUID();
    private final SecretCipher cipher = new SecretCipher(SecretCipher.Key.of(new byte[32]), List.of());
    private final OpenedSecrets secrets = new OpenedSecrets(cipher);
    private final Instant now = Instant.now();

    @Test
    void structuredSendsTheEnvelopeSignedWithTheEventIdAndNow() throws Exception {
        Outgoing outgoing = build(endpoint(Payloads.STRUCTURED, Map.of(), null, null));
        assertThat(outgoing.body()).isEqualTo(ENVELOPE);
        assertThat(outgoing.headers()).containsEntry("content-type", "application/cloudevents+json; charset=utf-8")
                .containsEntry("webhook-id", EVENT_ID)
                .containsEntry("webhook-timestamp", Long.toString(now.getEpochSecond()));
        assertThat(outgoing.headers().get("webhook-signature")).startsWith("v1,").doesNotContain(" ");
        verify(SECRET, outgoing);
    }

    @Test
    void aSignatureIsBoundToTheBodyAndTheSecret() {
        Outgoing outgoing = build(endpoint(Payloads.STRUCTURED, Map.of(), null, null));
        assertThatThrownBy(() -> verify(SECRET, new Outgoing(outgoing.body() + " ", outgoing.headers())))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> verify(PREVIOUS, outgoing)).isInstanceOf(WebhookVerificationException.class);
    }

    @ParameterizedTest(name = "previous secret valid {0} s from now: {1} signatures")
    @CsvSource({"60, 2", "1, 2", "0, 1", "-60, 1"})
    void duringARotationBothSecretsSignUntilThePreviousOneExpires(long seconds, int signatures) throws Exception {
        Outgoing outgoing = build(endpoint(Payloads.STRUCTURED, Map.of(), PREVIOUS, now.plusSeconds(seconds)));
        assertThat(outgoing.headers().get("webhook-signature").split(" ")).hasSize(signatures)
                .allSatisfy(signature -> assertThat(signature).startsWith("v1,"));
        verify(SECRET, outgoing);
        if (signatures == 2) {
            verify(PREVIOUS, outgoing);
        } else {
            assertThatThrownBy(() -> verify(PREVIOUS, outgoing)).isInstanceOf(WebhookVerificationException.class);
        }
    }

    @Test
    void aPreviousSecretWithoutAnEndSignsNothing() throws Exception {
        Outgoing outgoing = build(endpoint(Payloads.STRUCTURED, Map.of(), PREVIOUS, null));
        assertThat(outgoing.headers().get("webhook-signature").split(" ")).hasSize(1);
        verify(SECRET, outgoing);
    }

    @Test
    void aRotatedSecretSignsAtOnceThoughTheOldOneWasOpened() throws Exception {
        Endpoint before = endpoint(Payloads.STRUCTURED, Map.of(), null, null);
        verify(SECRET, build(before));
        // as a rotation stores it: the new secret sealed under a fresh nonce, the old one as previous
        Endpoint rotated = new Endpoint(endpointId, before.url(), before.format(), before.headers(), null,
                cipher.seal(endpointId, PREVIOUS), before.secret(), now.plusSeconds(60));
        Outgoing during = build(rotated);
        verify(PREVIOUS, during);
        verify(SECRET, during);
        Endpoint after = new Endpoint(endpointId, before.url(), before.format(), before.headers(), null,
                rotated.secret(), rotated.previousSecret(), now.minusSeconds(1));
        Outgoing outgoing = build(after);
        verify(PREVIOUS, outgoing);
        assertThatThrownBy(() -> verify(SECRET, outgoing)).isInstanceOf(WebhookVerificationException.class);
        assertThat(secrets.size()).isEqualTo(2);
    }

    @Test
    void anOpenedSecretIsKeptForItsEndpointOnly() {
        Endpoint owner = endpoint(Payloads.STRUCTURED, Map.of(), null, null);
        build(owner);
        // the same stored form copied to another endpoint does not decrypt there, opened or not
        Endpoint copy = new Endpoint(UUID.randomUUID(), owner.url(), owner.format(), owner.headers(), null,
                owner.secret(), null, null);
        assertThatThrownBy(() -> build(copy)).isInstanceOf(SecretCipher.UnreadableSecret.class)
                .hasMessageContaining("does not decrypt");
        assertThatThrownBy(() -> build(copy)).isInstanceOf(SecretCipher.UnreadableSecret.class);
        assertThat(secrets.size()).isEqualTo(1);
    }

    @Test
    void binaryPutsTheAttributesInHeadersAndTheDataInTheBody() throws Exception {
        Outgoing outgoing = build(endpoint(Payloads.BINARY, Map.of(), null, null));
        assertThat(JsonBodies.MAPPER.readTree(outgoing.body()))
                .isEqualTo(JsonBodies.MAPPER.readTree("{\"name\":\"Ada\"}"));
        assertThat(outgoing.headers()).containsEntry("content-type", "application/json")
                .containsEntry("ce-id", EVENT_ID).containsEntry("ce-type", "customer.created")
                .containsEntry("ce-specversion", "1.0").containsEntry("ce-subject", "c-1")
                .doesNotContainKeys("ce-data", "ce-datacontenttype");
        verify(SECRET, outgoing);
    }

    @Test
    void legacyIsSeedZerosEnvelope() throws Exception {
        Outgoing outgoing = build(endpoint(Payloads.LEGACY, Map.of(), null, null));
        JsonNode legacy = JsonBodies.MAPPER.readTree(outgoing.body());
        assertThat(legacy.get("event_type").asText()).isEqualTo("CustomerCreated");
        assertThat(legacy.get("data")).isEqualTo(JsonBodies.MAPPER.readTree("{\"name\":\"Ada\"}"));
        assertThat(legacy.has("timestamp")).isTrue();
        assertThat(outgoing.headers()).containsEntry("content-type", "application/json");
        verify(SECRET, outgoing);
    }

    @Test
    void anEndpointsHeadersGoAlongButOursWin() {
        Outgoing outgoing = build(endpoint(Payloads.STRUCTURED,
                Map.of("x-tenant", "acme", "webhook-id", "forged", "content-type", "text/plain"), null, null));
        assertThat(outgoing.headers()).containsEntry("x-tenant", "acme").containsEntry("webhook-id", EVENT_ID)
                .containsEntry("content-type", "application/cloudevents+json; charset=utf-8");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "customer.created, CustomerCreated",
        "order.line_added, OrderLineAdded",
        "order-shipped, OrderShipped",
        "customer..deleted, CustomerDeleted",
        "created, Created",
        "'', ''",
    })
    void legacyNamesArePascalCase(String type, String name) {
        assertThat(Payloads.pascalCase(type)).isEqualTo(name);
    }

    private Outgoing build(Endpoint endpoint) {
        return Payloads.build(endpoint, secrets, EVENT_ID, ENVELOPE, now);
    }

    /** Stored as the hub stores them: sealed under the key, bound to the endpoint. */
    private Endpoint endpoint(String format, Map<String, String> headers, String previous, Instant previousUntil) {
        return new Endpoint(endpointId, URI.create("https://receiver.example/hook"), format, headers, null,
                cipher.seal(endpointId, SECRET), previous == null ? null : cipher.seal(endpointId, previous),
                previousUntil);
    }

    private static String secret(String bytes) {
        return "whsec_" + Base64.getEncoder().encodeToString(bytes.getBytes(StandardCharsets.UTF_8));
    }

    private static void verify(String secret, Outgoing outgoing) throws WebhookVerificationException {
        Map<String, List<String>> headers = outgoing.headers().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> Arrays.asList(entry.getValue())));
        new Webhook(secret).verify(outgoing.body(), headers);
    }
}
