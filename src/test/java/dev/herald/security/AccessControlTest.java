package dev.herald.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** API keys with scopes: 401 without a valid key, 403 without the scope, nothing kept for either. */
class AccessControlTest {

    private static final String BOOTSTRAP = "bootstrap-" + java.util.UUID.randomUUID();
    private static TestHub hub;

    @BeforeAll
    static void start() {
        hub = TestHub.start(Map.of("herald.security.bootstrap-key", BOOTSTRAP, "herald.security.key-cache", "0"));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void withoutAValidKeyTheAnswerIs401AndNothingIsKept() {
        Response anonymous = hub.http.post("/api/customers", customer());
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(anonymous.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(anonymous.json().get("type").asText()).isEqualTo("urn:herald:problem:unauthorized");
        assertThat(hub.http.post("/api/customers", customer(), "Authorization", "Bearer not-a-key").status())
                .isEqualTo(401);
        assertThat(hub.http.get("/api/dead-letters", "Authorization", "Basic Zm9vOmJhcg==").status()).isEqualTo(401);
        assertThat(hub.count("customers")).isZero();
        assertThat(hub.count("events")).isZero();
        // operations endpoints stay reachable for probes and scrapers
        assertThat(hub.http.get("/observe/health").status()).isEqualTo(200);
    }

    @Test
    void scopesDecideWhatAKeyMayDoAndARevokedKeyStopsWorking() {
        String reader = createKey("dashboard", "[\"read\"]");
        String writer = createKey("shop", "[\"commands\", \"read\"]");

        Response created = hub.http.post("/api/customers", customer(), "Authorization", "Bearer " + writer);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("aggregate_id").asText();
        assertThat(hub.http.get("/api/customers/" + id, "Authorization", "Bearer " + reader).status()).isEqualTo(200);

        Response forbidden = hub.http.post("/api/customers", customer(), "Authorization", "Bearer " + reader);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.json().get("detail").asText()).contains("dashboard").contains("commands");
        assertThat(hub.http.get("/api/dead-letters", "Authorization", "Bearer " + writer).status()).isEqualTo(403);
        assertThat(hub.http.get("/api/keys", "Authorization", "Bearer " + writer).status()).isEqualTo(403);
        assertThat(hub.http.get("/api/projections", "Authorization", "Bearer " + reader).status()).isEqualTo(403);
        assertThat(hub.http.post("/api/projections/customer-order-totals/rebuild", "", "Authorization",
                "Bearer " + writer).status()).isEqualTo(403);
        assertThat(hub.http.get("/api/projections", "Authorization", "Bearer " + BOOTSTRAP).status()).isEqualTo(200);
        assertThat(hub.http.post("/api/replays", "{\"target\":{\"kafka_topic\":\"t\"},\"since\":\"2026-01-01T00:00:00Z\"}",
                "Authorization", "Bearer " + writer).status()).isEqualTo(403);
        assertThat(hub.http.get("/api/replays", "Authorization", "Bearer " + reader).status()).isEqualTo(403);
        assertThat(hub.http.get("/api/replays", "Authorization", "Bearer " + BOOTSTRAP).status()).isEqualTo(200);

        Response keys = hub.http.get("/api/keys", "Authorization", "Bearer " + BOOTSTRAP);
        assertThat(keys.status()).isEqualTo(200);
        assertThat(keys.body()).contains("dashboard").doesNotContain(reader);
        String readerId = null;
        for (var key : keys.json()) {
            if (key.get("name").asText().equals("dashboard")) {
                readerId = key.get("id").asText();
            }
        }
        assertThat(hub.http.delete("/api/keys/" + readerId, "Authorization", "Bearer " + BOOTSTRAP).status())
                .isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.http.get("/api/customers/" + id,
                "Authorization", "Bearer " + reader).status() == 401);
        assertThat(hub.http.post("/api/keys", "{\"name\":\"x\",\"scopes\":[\"root\"]}",
                "Authorization", "Bearer " + BOOTSTRAP).status()).isEqualTo(400);
    }

    @Test
    void aKeyOverItsRateGets429WithRetryAfter() {
        try (TestHub limited = TestHub.start(Map.of("herald.security.bootstrap-key", BOOTSTRAP,
                "herald.security.rate-limit", "1"))) {
            Response limitedAnswer = await().atMost(Duration.ofSeconds(30)).until(
                    () -> limited.http.get("/api/customers", "Authorization", "Bearer " + BOOTSTRAP),
                    response -> response.status() != 200);
            assertThat(limitedAnswer.status()).isEqualTo(429);
            assertThat(limitedAnswer.header("Retry-After")).isEqualTo("1");
            assertThat(limitedAnswer.json().get("type").asText()).isEqualTo("urn:herald:problem:rate-limited");
            await().atMost(Duration.ofSeconds(10)).until(
                    () -> limited.http.get("/api/customers", "Authorization", "Bearer " + BOOTSTRAP).status() == 200);
        }
    }

    @Test
    void whileTheApiIsOpenEachClientAddressHasItsOwnLimit() throws Exception {
        try (TestHub open = TestHub.start(Map.of("herald.security.anonymous-rate-limit", "1"))) {
            Response limitedAnswer = await().atMost(Duration.ofSeconds(30)).until(
                    () -> open.http.get("/api/customers"), response -> response.status() != 200);
            assertThat(limitedAnswer.status()).isEqualTo(429);
            assertThat(limitedAnswer.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(Long.parseLong(limitedAnswer.header("Retry-After"))).isPositive();
            assertThat(limitedAnswer.json().get("type").asText()).isEqualTo("urn:herald:problem:rate-limited");
            assertThat(limitedAnswer.json().get("detail").asText()).contains("herald.security.anonymous-rate-limit");
            // another address (loopback has all of 127/8) has a bucket of its own
            assertThat(statusFrom("127.0.0.2", Integer.parseInt(open.setting("herald.http.port")), "/api/customers")).isEqualTo(200);
        }
    }

    /** One request from a chosen local address, which java.net.http cannot bind. */
    private static int statusFrom(String localAddress, int port, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(localAddress, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    private static String createKey(String name, String scopes) {
        Response created = hub.http.post("/api/keys", "{\"name\":\"" + name + "\",\"scopes\":" + scopes + "}",
                "Authorization", "Bearer " + BOOTSTRAP);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("key").asText()).startsWith("hrld_");
        return created.json().get("key").asText();
    }

    private static String customer() {
        return "{\"full_name\":\"Guarded\",\"email\":\"guarded@example.com\"}";
    }
}
