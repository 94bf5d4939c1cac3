package dev.herald.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.http.JsonBodies;
import dev.herald.http.Problem;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a declaration must pass beyond its schema, and a PATCH as one UPDATE: no hub, no database. */
class EndpointPatchTest {

    private static final WebhookSettings SETTINGS = new WebhookSettings(Duration.ofSeconds(1), List.of(), 0,
            Duration.ZERO, Duration.ZERO, 1, 1, 1, Duration.ZERO, false, Set.of("receiver.example"), 1, 1,
            Duration.ZERO, "herald.example", "", "test", 1);
    private final EndpointChecks checks = new EndpointChecks(new TargetGuard(false, Set.of("receiver.example")),
            SETTINGS);

    @Test
    void anEmptyPatchOnlyTouchesUpdatedAt() {
        EndpointPatch patch = EndpointPatch.of(json("{}"), checks);
        assertThat(patch.sql()).isEqualTo("UPDATE webhook_endpoints SET updated_at = now() WHERE id = ?");
        assertThat(patch.values()).isEmpty();
        assertThat(patch.enabling()).isFalse();
    }

    @Test
    void onlyTheNamedFieldsChangeInTheOrderOfTheColumns() {
        EndpointPatch patch = EndpointPatch.of(json("""
                {"format":"legacy","url":"https://receiver.example/v2","rate_limit":null,"description":"d",
                 "event_types":["order.*","customer.deleted"],"headers":{"x-tenant":"acme"}}"""), checks);
        assertThat(patch.assignments()).containsExactly("url = ?", "description = ?", "format = ?",
                "rate_limit = ?", "headers = CAST(? AS jsonb)", "event_types = string_to_array(?, chr(31))",
                "updated_at = now()");
        assertThat(patch.values()).containsExactly("https://receiver.example/v2", "d", "legacy", null,
                "{\"x-tenant\":\"acme\"}", "order.*\u001fcustomer.deleted");
    }

    @Test
    void enablingClearsWhyItWasDisabledAndDisablingSaysWho() {
        EndpointPatch enabling = EndpointPatch.of(json("{\"enabled\":true}"), checks);
        assertThat(enabling.enabling()).isTrue();
        assertThat(enabling.assignments().get(0)).contains("disabled_reason = NULL", "failing_since = NULL");
        EndpointPatch disabling = EndpointPatch.of(json("{\"enabled\":false}"), checks);
        assertThat(disabling.enabling()).isFalse();
        assertThat(disabling.assignments().get(0)).contains("disabled_reason = 'disabled by an operator'");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "ftp://receiver.example/x, webhook-target-refused",
        "http://127.0.0.1:8080/x, webhook-target-refused",
        "http://user:pw@receiver.example/x, webhook-target-refused",
        "'http://bad host/', webhook-url-invalid",
    })
    void aUrlTheGuardRefusesIsUnprocessable(String url, String type) {
        assertThatThrownBy(() -> EndpointPatch.of(json("{\"url\":\"" + url + "\"}"), checks))
                .isInstanceOfSatisfying(Problem.class, problem -> {
                    assertThat(problem.status()).isEqualTo(422);
                    assertThat(problem.type()).isEqualTo("urn:herald:problem:" + type);
                });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"Content-Type", "webhook-signature", "Webhook-Id", "HOST", "user-agent"})
    void heraldsAndTheClientsHeadersCannotBeConfigured(String header) {
        assertThatThrownBy(() -> EndpointChecks.headers(json("{\"" + header + "\":\"x\"}")))
                .isInstanceOfSatisfying(Problem.class, problem -> assertThat(problem.type())
                        .isEqualTo("urn:herald:problem:webhook-header-reserved"));
    }

    @Test
    void noHeadersAreStoredAsAnEmptyObject() {
        assertThat(EndpointChecks.headers(json("{}").path("headers"))).isEqualTo("{}");
        assertThat(EndpointChecks.headers(json("{\"headers\":null}").get("headers"))).isEqualTo("{}");
        assertThat(EndpointChecks.headers(json("{\"x-a\":\"1\",\"x-b\":\"2\"}")))
                .isEqualTo("{\"x-a\":\"1\",\"x-b\":\"2\"}");
    }

    private static JsonNode json(String text) {
        try {
            return JsonBodies.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
