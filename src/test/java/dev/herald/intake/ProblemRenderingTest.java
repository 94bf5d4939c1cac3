package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.http.JsonBodies;
import dev.herald.http.Problem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 9457 problem+json as every refusal is rendered: the standard members, then the extensions, as JSON. */
class ProblemRenderingTest {

    @Test
    void theStandardMembersAndTheInstance() throws Exception {
        JsonNode body = render(Problem.notFound("no customer c-1"), "/api/customers/c-1");
        assertThat(body.get("type").asText()).isEqualTo("urn:herald:problem:not-found");
        assertThat(body.get("title").asText()).isEqualTo("Not found");
        assertThat(body.get("status").isInt()).isTrue();
        assertThat(body.get("status").asInt()).isEqualTo(404);
        assertThat(body.get("detail").asText()).isEqualTo("no customer c-1");
        assertThat(body.get("instance").asText()).isEqualTo("/api/customers/c-1");
        assertThat(body.size()).isEqualTo(5);
    }

    @Test
    void noInstanceNoMember() throws Exception {
        assertThat(render(Problem.badRequest("bad", "why"), null).has("instance")).isFalse();
    }

    @Test
    void textThatNeedsEscapingStaysText() throws Exception {
        String detail = "a \"quoted\" name, a back\\slash,\na new line and ünïcödé </script>";
        assertThat(render(Problem.badRequest("bad", detail), "/x?a=\"b\"").get("detail").asText()).isEqualTo(detail);
    }

    @Test
    void extensionsAreJsonValuesInTheOrderGiven() throws Exception {
        Problem problem = Problem.unprocessable("rule", "why").with("currentVersion", 3).with("line", null)
                .with("errors", List.of(Map.of("pointer", "/name"))).with("retryable", false);
        JsonNode body = render(problem, null);
        assertThat(body.get("currentVersion").isInt()).isTrue();
        assertThat(body.get("line").isNull()).isTrue();
        assertThat(body.at("/errors/0/pointer").asText()).isEqualTo("/name");
        assertThat(body.get("retryable").isBoolean()).isTrue();
        assertThat(body.fieldNames()).toIterable()
                .containsExactly("type", "title", "status", "detail", "currentVersion", "line", "errors", "retryable");
    }

    @Test
    void unavailableCarriesRetryAfterInTheBodyAndAsAHeader() throws Exception {
        Problem problem = Problem.unavailable("shedding", "nothing was kept", 7, null).header("X-Why", "backlog");
        assertThat(render(problem, null).get("retryAfter").asInt()).isEqualTo(7);
        assertThat(problem.status()).isEqualTo(503);
        assertThat(problem.headers()).containsExactly(Map.entry("X-Why", "backlog"), Map.entry("Retry-After", "7"));
    }

    @Test
    void withoutRetryAfterOnlyTheHeadersAskedFor() {
        assertThat(Problem.conflict("c", "why").headers()).isEmpty();
        assertThat(new Problem(401, "unauthorized", "Unauthorized", "no key").header("WWW-Authenticate", "ApiKey")
                .headers()).containsExactly(Map.entry("WWW-Authenticate", "ApiKey"));
    }

    private static JsonNode render(Problem problem, String instance) throws Exception {
        return JsonBodies.MAPPER.readTree(ProblemResponder.render(problem, instance));
    }
}
