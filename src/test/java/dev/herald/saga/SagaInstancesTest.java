package dev.herald.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.saga.FakeService.Reply;
import dev.herald.saga.FakeService.Request;
import dev.herald.testing.Engines;
import dev.herald.testing.HttpApi;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubProcess;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Sagas across hub instances and crashes: two hubs on one database run each saga once; a hub killed with SIGKILL
 * while its payment call is in flight resumes the saga after its restart, and the payment service, seeing the same
 * Idempotency-Key again, charges once.
 */
class SagaInstancesTest {

    private static final int ANSWER_LOST = 55;
    private final AtomicInteger ids = new AtomicInteger();

    private Reply pay(Request request, int attempt) {
        Reply charged = new Reply(201, "{\"payment_id\": \"pay-" + ids.incrementAndGet() + "\"}");
        return request.body().path("amount").asInt() == ANSWER_LOST && attempt == 0 ? charged.lost() : charged;
    }

    private Reply reserve(Request request, int attempt) {
        return new Reply(201, "{\"reservation_id\": \"res-" + ids.incrementAndGet() + "\"}");
    }

    @Test
    void twoHubsRunEachSagaOnce() {
        try (FakeService payment = new FakeService(this::pay); FakeService inventory = new FakeService(this::reserve)) {
            Map<String, String> settings = Map.of("herald.services.payment.url", payment.url(),
                    "herald.services.inventory.url", inventory.url(), "herald.sagas.interval", "20");
            try (TestHub first = TestHub.start(settings)) {
                Map<String, String> second = new HashMap<>(settings);
                second.put("herald.db.url", first.setting("herald.db.url"));
                try (TestHub other = TestHub.start(second)) {
                    List<String> orders = new ArrayList<>();
                    String customer = customer(first.http);
                    for (int i = 0; i < 12; i++) {
                        orders.add(order(i % 2 == 0 ? first.http : other.http, customer, 10 + i));
                    }
                    await().atMost(Duration.ofSeconds(60)).until(() ->
                            first.queryLong("SELECT count(*) FROM sagas WHERE status = 'completed'") == 12);
                    for (String order : orders) {
                        assertThat(first.http.get("/api/orders/" + order).json().path("status").asText())
                                .isEqualTo("confirmed");
                        assertThat(first.http.get("/api/sagas?correlation=" + order).json()).hasSize(1);
                    }
                    Map<String, Long> charges = payment.requests().stream().collect(Collectors.groupingBy(
                            r -> r.body().path("order_id").asText(), Collectors.counting()));
                    assertThat(charges).hasSize(12).allSatisfy((order, count) -> assertThat(count).isEqualTo(1));
                    assertThat(inventory.requests()).hasSize(12);
                    assertThat(first.queryLong("SELECT count(*) FROM events WHERE event_type = 'order.confirmed'"))
                            .isEqualTo(12);
                }
            }
        }
    }

    @Test
    void aHubKilledDuringACallResumesTheSagaAndTheServiceChargesOnce() throws Exception {
        try (FakeService payment = new FakeService(this::pay); FakeService inventory = new FakeService(this::reserve)) {
            Engines engines = Engines.get();
            Path dir = Files.createTempDirectory("herald-saga-crash");
            Map<String, String> settings = Map.of("herald.db.url", engines.freshSchema(),
                    "herald.db.user", engines.user(), "herald.db.password", engines.password(),
                    "herald.kafka.brokers", engines.kafkaBrokers(), "herald.instance.id", "saga-" + UUID.randomUUID(),
                    "herald.data.dir", dir.resolve("data").toString(),
                    "herald.services.payment.url", payment.url(), "herald.services.inventory.url", inventory.url(),
                    "herald.sagas.interval", "50", "herald.sagas.call-timeout", "20000");
            int port = TestHub.freePort();
            Path log = dir.resolve("hub.log");
            HubProcess hub = HubProcess.start(settings, port, log);
            String order;
            try {
                order = order(hub.http, customer(hub.http), ANSWER_LOST);
                await().atMost(Duration.ofSeconds(30)).until(() -> !payment.requests().isEmpty());
                hub.kill();   // the charge happened; its answer never reached the hub
            } catch (RuntimeException | AssertionError e) {
                hub.kill();
                throw e;
            }
            try (HubProcess restarted = HubProcess.start(settings, port, log)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> "completed".equals(
                        restarted.http.get("/api/sagas?correlation=" + order).json().path(0).path("status").asText()));
                assertThat(restarted.http.get("/api/orders/" + order).json().path("status").asText())
                        .isEqualTo("confirmed");
                List<Request> charges = payment.requests();
                assertThat(charges).hasSize(2);
                assertThat(charges).extracting(Request::idempotencyKey).containsOnly(charges.get(0).idempotencyKey());
                assertThat(payment.effects()).hasSize(1);
                JsonNode saga = restarted.http.get("/api/sagas/" + restarted.http.get("/api/sagas?correlation="
                        + order).json().path(0).path("saga_id").asText()).json();
                assertThat(saga.path("steps").get(0).path("attempts").asInt()).isEqualTo(1);
                assertThat(saga.path("data").path("payment_id").asText()).isEqualTo("pay-1");
            }
        }
    }

    private static String customer(HttpApi http) {
        return accepted(http, "/api/customers", "{\"full_name\":\"Buyer\",\"email\":\"" + UUID.randomUUID()
                + "@example.com\"}");
    }

    private static String order(HttpApi http, String customer, int amount) {
        return accepted(http, "/api/orders", "{\"customer_id\":\"" + customer + "\",\"items\":[{"
                + "\"product_id\":\"p\",\"quantity\":1,\"unit_price\":" + amount + "}]}");
    }

    /**
     * The command's aggregate id once accepted; a 503 (a hub process just started may not reach Kafka in time; it
     * keeps nothing then) is sent again.
     */
    private static String accepted(HttpApi http, String path, String body) {
        AtomicReference<Response> answer = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            answer.set(http.post(path, body));
            return answer.get().status() != 503;
        });
        assertThat(answer.get().status()).as(answer.get().toString()).isIn(201, 202);
        return answer.get().json().path("aggregate_id").asText();
    }
}
