package dev.herald.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.saga.FakeService.Reply;
import dev.herald.saga.FakeService.Request;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import dev.herald.testing.HubHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * herald.sagas.max-running: a burst of orders against a slow payment service; the service never sees more charges in
 * flight at once than the setting allows, and does see that many (the runner works on several sagas at once). A saga's
 * own maxRunning overrides it, and holds across the hub instances on one database.
 */
class SagaConcurrencyTest {

    private static final int MAX_RUNNING = 3;
    private static final int ORDERS = 12;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();

    /**
     * A slow charge: it waits until MAX_RUNNING charges are in flight (at most 2 s), then holds a little longer, so
     * a runner that allowed more would show more.
     */
    private Reply slowCharge(Request request, int attempt) {
        int now = inFlight.incrementAndGet();
        mostInFlight.accumulateAndGet(now, Math::max);
        try {
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (inFlight.get() < MAX_RUNNING && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
        return new Reply(201, "{\"payment_id\": \"pay-" + ids.incrementAndGet() + "\"}");
    }

    @Test
    void aBurstOfOrdersNeverHasMoreChargesInFlightThanMaxRunning() {
        try (FakeService payment = new FakeService(this::slowCharge);
                FakeService inventory = new FakeService((request, attempt) ->
                        new Reply(201, "{\"reservation_id\": \"res-" + ids.incrementAndGet() + "\"}"));
                TestHub hub = TestHub.start(Map.of(
                        "herald.services.payment.url", payment.url(),
                        "herald.services.inventory.url", inventory.url(),
                        "herald.sagas.max-running", Integer.toString(MAX_RUNNING),
                        "herald.sagas.interval", "50",
                        "herald.sagas.call-timeout", "5000"))) {
            Response created = hub.http.post("/api/customers",
                    "{\"full_name\":\"Burst Buyer\",\"email\":\"burst@example.com\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String customer = created.json().path("aggregate_id").asText();
            List<String> orders = new ArrayList<>();
            for (int i = 0; i < ORDERS; i++) {
                Response placed = hub.http.post("/api/orders", "{\"customer_id\":\"" + customer + "\",\"items\":[{"
                        + "\"product_id\":\"book\",\"quantity\":1,\"unit_price\":" + (10 + i) + "}]}");
                assertThat(placed.status()).as(placed.toString()).isIn(201, 202);
                orders.add(placed.json().path("aggregate_id").asText());
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> orders.stream().allMatch(order ->
                    "confirmed".equals(hub.http.get("/api/orders/" + order).json().path("status").asText())));
            assertThat(payment.requestsTo("POST", "/payments")).hasSize(ORDERS);
            assertThat(mostInFlight.get()).as("charges in flight at once").isEqualTo(MAX_RUNNING);
        }
    }

    /** A slow call to either service, counted in flight with the other service's: the saga's calls, all of them. */
    private Reply slowCall(String answer) {
        int now = inFlight.incrementAndGet();
        mostInFlight.accumulateAndGet(now, Math::max);
        try {
            Thread.sleep(150);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
        return new Reply(201, answer.formatted(ids.incrementAndGet()));
    }

    @Test
    void aSagasOwnLimitOfOneHoldsAcrossTwoHubs(@TempDir Path root) throws IOException {
        HubHome home = HubHome.copyOfShipped(root);
        String saga = Files.readString(home.routes().resolve("order-fulfilment.camel.yaml"));
        String services = "        services: payment,inventory\n";
        assertThat(saga).contains(services);
        home.write("routes/order-fulfilment.camel.yaml", saga.replace(services, services + "        maxRunning: 1\n"));
        try (FakeService payment = new FakeService((request, attempt) -> slowCall("{\"payment_id\": \"pay-%d\"}"));
                FakeService inventory = new FakeService((request, attempt) ->
                        slowCall("{\"reservation_id\": \"res-%d\"}"))) {
            Map<String, String> settings = new HashMap<>(home.settings());
            settings.putAll(Map.of("herald.services.payment.url", payment.url(),
                    "herald.services.inventory.url", inventory.url(),
                    "herald.sagas.max-running", "4",          // the saga's own maxRunning wins
                    "herald.sagas.interval", "20",
                    "herald.sagas.call-timeout", "5000"));
            try (TestHub first = TestHub.start(settings)) {
                settings.put("herald.db.url", first.setting("herald.db.url"));
                try (TestHub second = TestHub.start(settings)) {
                    Response created = first.http.post("/api/customers",
                            "{\"full_name\":\"One At A Time\",\"email\":\"one@example.com\"}");
                    assertThat(created.status()).as(created.toString()).isEqualTo(201);
                    String customer = created.json().path("aggregate_id").asText();
                    List<String> orders = new ArrayList<>();
                    for (int i = 0; i < 6; i++) {
                        Response placed = (i % 2 == 0 ? first : second).http.post("/api/orders", "{\"customer_id\":\""
                                + customer + "\",\"items\":[{\"product_id\":\"book\",\"quantity\":1,"
                                + "\"unit_price\":" + (10 + i) + "}]}");
                        assertThat(placed.status()).as(placed.toString()).isIn(201, 202);
                        orders.add(placed.json().path("aggregate_id").asText());
                    }

                    await().atMost(Duration.ofSeconds(60)).until(() -> orders.stream().allMatch(order ->
                            "confirmed".equals(first.http.get("/api/orders/" + order).json().path("status").asText())));
                    assertThat(payment.requestsTo("POST", "/payments")).hasSize(6);
                    assertThat(inventory.requestsTo("POST", "/reservations")).hasSize(6);
                    assertThat(mostInFlight.get()).as("calls in flight at once, both services, both hubs").isEqualTo(1);
                    await().atMost(Duration.ofSeconds(10)).until(() ->
                            first.queryLong("SELECT count(*) FROM sagas WHERE status = 'completed'") == 6);
                }
            }
        }
    }
}
