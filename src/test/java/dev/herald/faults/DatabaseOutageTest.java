package dev.herald.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.Engines;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TcpProxy;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL cut mid-stream (every connection dropped through a TCP proxy) while commands flow: refused
 * commands keep nothing and publish nothing, accepted ones are kept and published, and the hub recovers.
 */
class DatabaseOutageTest {

    @Test
    void aDatabaseCutUnderLoadLosesNoAcceptedCommandAndKeepsNoRefusedOne() throws Exception {
        String direct = Engines.get().freshSchema();
        URI server = URI.create(direct.substring("jdbc:".length()));
        try (TcpProxy proxy = new TcpProxy(server.getHost(), server.getPort());
                TestHub hub = TestHub.start(Map.of("herald.db.url",
                        direct.replace(server.getHost() + ":" + server.getPort(), "127.0.0.1:" + proxy.port()),
                        "herald.relay.interval", "200"))) {
            Map<String, String> accepted = new ConcurrentHashMap<>(); // email -> aggregate id
            Set<String> refused = ConcurrentHashMap.newKeySet();
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService writers = Executors.newFixedThreadPool(4);
            for (int w = 0; w < 4; w++) {
                writers.submit(() -> {
                    while (running.get()) {
                        String email = UUID.randomUUID() + "@example.com";
                        try {
                            Response answer = hub.http.post("/api/customers",
                                    "{\"full_name\":\"Under fire\",\"email\":\"" + email + "\"}");
                            if (answer.status() == 201 || answer.status() == 202) {
                                accepted.put(email, answer.json().get("aggregate_id").asText());
                            } else if (answer.status() == 503
                                    && !answer.json().get("type").asText().endsWith(":outcome-unknown")) {
                                refused.add(email);
                            }
                        } catch (RuntimeException e) {
                            // no answer at all: the outcome is unknown, so the checks below leave it alone
                        }
                    }
                });
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 20);
            proxy.cut();
            await().atMost(Duration.ofSeconds(60)).until(() -> refused.size() >= 5);
            proxy.restore();
            int before = accepted.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= before + 20);
            running.set(false);
            writers.shutdown();
            assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            for (String email : accepted.keySet()) {
                assertThat(hub.queryLong("SELECT count(*) FROM customers WHERE email = ?", email)).as(email)
                        .isEqualTo(1);
            }
            for (String email : refused) {
                assertThat(hub.queryLong("SELECT count(*) FROM customers WHERE email = ?", email)).as(email)
                        .isZero();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> hub.queryLong(
                    "SELECT count(*) FROM events WHERE published_at IS NULL") == 0);
            try (TopicReader kafka = new TopicReader(hub.brokers(), "customers")) {
                Set<String> ids = Set.copyOf(accepted.values());
                await().atMost(Duration.ofSeconds(30)).until(() -> kafka.matching(r -> ids.contains(r.key())).stream()
                        .map(r -> r.key()).collect(Collectors.toSet()).size() == ids.size());
                List<String> published = kafka.matching(r -> true).stream()
                        .map(r -> new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)).toList();
                for (String email : refused) {
                    assertThat(published).noneMatch(value -> value.contains(email));
                }
            }
        }
    }
}
