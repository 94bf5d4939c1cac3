package dev.herald.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** herald.http.max-in-flight: requests past it get 503 at once, nothing of them kept; the held ones finish. */
class InFlightLimitTest {

    private static TestHub hub;

    @BeforeAll
    static void start() {
        // each command lingers 2 s in its lane, so the first two are still held when the others arrive
        hub = TestHub.start(Map.of("herald.http.max-in-flight", "2", "herald.publish.linger", "2000",
                "herald.publish.timeout", "15000"));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void requestsBeyondTheLimitAreRefusedAtOnceAndTheHeldOnesFinish() {
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> held = Stream.of(1, 2).map(i -> client.sendAsync(
                HttpRequest.newBuilder(URI.create(hub.http.base() + "/api/customers"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(customer())).build(),
                HttpResponse.BodyHandlers.ofString())).toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> inFlight() == 2);

        for (int i = 0; i < 3; i++) {
            Response refused = hub.http.post("/api/customers", customer());
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(refused.header("Retry-After")).isNotBlank();
            assertThat(refused.json().get("type").asText()).isEqualTo("urn:herald:problem:overloaded");
        }
        // a busy hub still answers its probes
        assertThat(hub.http.get("/observe/health").status()).isEqualTo(200);

        assertThat(held).allSatisfy(answer -> assertThat(answer.join().statusCode()).isEqualTo(201));
        assertThat(hub.count("customers")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> inFlight() == 0);
        assertThat(hub.http.post("/api/customers", customer()).status()).isEqualTo(201);
        assertThat(hub.http.get("/observe/metrics").body()).containsPattern("herald_http_overloaded_total 3\\.0");
    }

    private static double inFlight() {
        return hub.http.get("/observe/metrics").body().lines().filter(l -> l.startsWith("herald_http_in_flight "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
    }

    private static String customer() {
        return "{\"full_name\":\"Held Back\",\"email\":\"" + UUID.randomUUID() + "@example.com\"}";
    }
}
