package dev.herald.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HttpApi;
import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Two hubs on one database both run the projection: they take turns (the projection's row is locked per batch), so
 * each event is still applied once, whichever hub took the command.
 */
class ProjectionInstancesTest {

    @Test
    void twoInstancesApplyEachEventOnce() throws Exception {
        try (TestHub first = TestHub.start(Map.of("herald.projections.batch-size", "5"));
                TestHub second = TestHub.start(Map.of("herald.db.url", first.setting("herald.db.url"),
                        "herald.projections.batch-size", "5"))) {
            List<String> customers = List.of(OrderTotals.customer(first.http), OrderTotals.customer(second.http));
            ExecutorService writers = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                HttpApi http = w % 2 == 0 ? first.http : second.http;
                String customer = customers.get(w / 2);
                done.add(writers.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        String order = OrderTotals.order(http, customer, 1 + i % 3);
                        if (i % 4 == 0) {
                            OrderTotals.cancel(http, order);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> writer : done) {
                writer.get();
            }
            writers.shutdown();
            await().atMost(Duration.ofSeconds(30)).until(() -> OrderTotals.exact(first) && OrderTotals.exact(second));
            assertThat(first.http.get(OrderTotals.PROJECTION).json().get("applied").asLong())
                    .isEqualTo(first.queryLong("SELECT count(*) FROM events WHERE event_type LIKE 'order.%'"))
                    .isEqualTo(100);
            assertThat(second.http.get("/api/customers/" + customers.get(1) + "/order-totals").json()
                    .get("orders_cancelled").asInt()).isEqualTo(10);
        }
    }
}
