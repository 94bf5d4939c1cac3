package dev.herald.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.herald.bridge.rabbitmq.BridgeFixture;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard (ops/grafana-dashboard.json) queries only metrics Herald exports: after a short run that
 * touches every part it shows (a command, the RabbitMQ bridge, a webhook delivered and one dead-lettered, the
 * shipped projection), every metric name in its queries is in /observe/metrics.
 */
class DashboardTest {

    private static final Path DASHBOARD = Path.of("ops/grafana-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:herald|jvm|process)_[a-z0-9_]+)\\b");

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws IOException {
        Set<String> queried = queriedMetrics();
        assertThat(queried).contains("herald_commands_total", "herald_outbox_oldest_age_seconds",
                "herald_dead_letters_open", "herald_webhooks_deliveries_total", "herald_rabbitmq_bridged_total");

        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/ok", exchange -> answer(exchange, 204));
        receiver.createContext("/gone", exchange -> answer(exchange, 500));
        receiver.start();
        try (BridgeFixture rabbit = new BridgeFixture()) {
            Map<String, String> settings = new HashMap<>(rabbit.settings(true,
                    BridgeFixture.auditAndCrm(rabbit.queue("audit"), rabbit.queue("crm"))));
            settings.put("herald.webhooks.allow-private-networks", "true");
            settings.put("herald.webhooks.retry-schedule", "0");   // one attempt: the failing one is dead at once
            settings.put("herald.webhooks.poll-interval", "50");
            try (TestHub hub = TestHub.start(settings)) {
                String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
                for (String path : List.of("/ok", "/gone")) {
                    Response endpoint = hub.http.post("/api/webhooks/endpoints", "{\"url\":\"" + base + path + "\"}");
                    assertThat(endpoint.status()).as(endpoint.toString()).isEqualTo(201);
                }
                Response created = hub.http.post("/api/customers",
                        "{\"full_name\":\"Grace Hopper\",\"email\":\"grace@example.com\"}");
                assertThat(created.status()).as(created.toString()).isEqualTo(201);

                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    String exported = hub.http.get("/observe/metrics").body();
                    assertThat(queried).as("metrics the dashboard queries, in /observe/metrics")
                            .allMatch(name -> exported.contains("\n" + name + "{") || exported.contains("\n" + name + " "));
                });
            }
        } finally {
            receiver.stop(0);
        }
    }

    private static Set<String> queriedMetrics() throws IOException {
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }
}
