package dev.herald.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The shipped projection customer-order-totals on a real hub: its read endpoint, its operator view, 8 concurrent
 * writers, and a transaction that commits late. Every check compares the read table with a SQL aggregate over the
 * event store.
 */
class ProjectionTest {

    @AutoClose
    private static final TestHub hub = TestHub.start(Map.of());

    @Test
    void totalsPerCustomerFollowPlacedAndCancelledOrders() {
        String ada = OrderTotals.customer(hub.http);
        String bob = OrderTotals.customer(hub.http);
        String first = OrderTotals.order(hub.http, ada, 4);   // 10.00
        OrderTotals.order(hub.http, ada, 2);                  // 5.00
        OrderTotals.order(hub.http, bob, 1);                  // 2.50
        OrderTotals.cancel(hub.http, first);

        await().atMost(Duration.ofSeconds(20)).until(() -> hub.http.get("/api/customers/" + ada + "/order-totals")
                .json().path("orders_cancelled").asInt() == 1);
        JsonNode totals = hub.http.get("/api/customers/" + ada + "/order-totals").json();
        assertThat(totals.get("customer_id").asText()).isEqualTo(ada);
        assertThat(totals.get("orders_placed").asInt()).isEqualTo(2);
        assertThat(totals.get("orders_cancelled").asInt()).isEqualTo(1);
        assertThat(totals.get("total_placed").decimalValue()).isEqualByComparingTo("15.00");
        await().atMost(Duration.ofSeconds(20)).until(() -> OrderTotals.exact(hub));
        assertThat(hub.http.get("/api/customers/" + bob + "/order-totals").json().get("total_placed").decimalValue())
                .isEqualByComparingTo("2.50");

        Response none = hub.http.get("/api/customers/" + OrderTotals.customer(hub.http) + "/order-totals");
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.header("Content-Type")).startsWith("application/problem+json");

        // the position moves through every event in commit order, those it does not consume too (the customer just
        // created): caught up, it is the newest event (a transaction with a larger id may hold a smaller seq)
        long newest = hub.queryLong("SELECT seq FROM events ORDER BY tx_id DESC, seq DESC LIMIT 1");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> hub.http.get(OrderTotals.PROJECTION).json().get("position").asLong() == newest);
        JsonNode view = hub.http.get(OrderTotals.PROJECTION).json();
        assertThat(view.get("status").asText()).isEqualTo("live");
        assertThat(view.get("applied").asLong()).isEqualTo(hub.queryLong("""
                SELECT count(*) FROM events WHERE event_type LIKE 'order.%'
                   AND (tx_id, seq) <= (CAST(? AS xid8), ?)""", view.get("position_tx_id").asText(),
                view.get("position").asLong()));
        assertThat(hub.http.get("/api/projections").json().get("items")).anySatisfy(item ->
                assertThat(item.get("name").asText()).isEqualTo("customer-order-totals"));
        assertThat(hub.http.get("/api/projections/nope").status()).isEqualTo(404);
        assertThat(hub.metricSum("herald_projection_applied_total", "customer-order-totals"))
                .isEqualTo(view.get("applied").asDouble());
    }

    /** The changed totals go to the compacted topic customer-order-totals, key the customer: its last record is current. */
    @Test
    void changedTotalsArePublishedToACompactedTopic() throws Exception {
        String customer = OrderTotals.customer(hub.http);
        try (TopicReader topic = new TopicReader(hub.brokers(), OrderTotals.TOPIC)) {
            String order = OrderTotals.order(hub.http, customer, 2);
            OrderTotals.order(hub.http, customer, 4);
            OrderTotals.cancel(hub.http, order);
            await().atMost(Duration.ofSeconds(30)).until(() -> topic.recordsFor(customer).size() == 3);
            List<ConsumerRecord<String, byte[]>> records = topic.recordsFor(customer);
            assertThat(records).extracting(record -> OrderTotals.json(record.value()).get("orders_placed").asInt())
                    .containsExactly(1, 2, 2);
            assertThat(OrderTotals.json(records.get(2).value()))
                    .isEqualTo(hub.http.get("/api/customers/" + customer + "/order-totals").json());
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, hub.brokers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, OrderTotals.TOPIC);
            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource).get("cleanup.policy").value())
                    .isEqualTo("compact");
        }
        assertThat(hub.count("projection_outputs")).isZero();
    }

    @Test
    void eightConcurrentWritersAreCountedExactlyOnce() throws Exception {
        List<String> customers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            customers.add(OrderTotals.customer(hub.http));
        }
        ExecutorService writers = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            done.add(writers.submit(() -> {
                for (int i = 0; i < 15; i++) {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    String order = OrderTotals.order(hub.http, customers.get(random.nextInt(customers.size())),
                            1 + random.nextInt(9));
                    if (random.nextInt(3) == 0) {
                        OrderTotals.cancel(hub.http, order);
                    }
                }
                return null;
            }));
        }
        for (Future<?> writer : done) {
            writer.get();
        }
        writers.shutdown();
        await().atMost(Duration.ofSeconds(30)).until(() -> OrderTotals.exact(hub));
        for (String customer : customers) {
            assertThat(hub.http.get("/api/customers/" + customer + "/order-totals").json().get("orders_placed").asLong())
                    .isEqualTo(hub.queryLong("SELECT count(*) FROM orders WHERE customer_id = ?", customer));
        }
    }

    /**
     * An event whose transaction commits after a later one's: the projection waits for it rather than pass it, and
     * applies both once it commits.
     */
    @Test
    void anEventCommittedLateIsNotSkipped() throws Exception {
        String early = "early-" + UUID.randomUUID();
        String late = "late-" + UUID.randomUUID();
        try (Connection before = hub.dataSource().getConnection()) {
            OrderTotals.insertCreated(before, early, new BigDecimal("1.00"));
        }
        try (Connection held = hub.dataSource().getConnection(); Connection other = hub.dataSource().getConnection()) {
            held.setAutoCommit(false);
            OrderTotals.insertCreated(held, late, new BigDecimal("10.00"));     // seq n, not committed
            OrderTotals.insertCreated(other, late, new BigDecimal("5.00"));     // seq n+1, committed at once
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    hub.http.get("/api/customers/" + early + "/order-totals").status() == 200);
            // the projection goes on to what committed before, but not past the open transaction
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() ->
                    hub.http.get("/api/customers/" + late + "/order-totals").status() == 404);
            assertThat(hub.http.get(OrderTotals.PROJECTION).json().get("lag").asLong()).isGreaterThanOrEqualTo(1);
            held.commit();
        }
        await().atMost(Duration.ofSeconds(20)).until(() ->
                hub.http.get("/api/customers/" + late + "/order-totals").json().path("orders_placed").asInt() == 2);
        assertThat(hub.http.get("/api/customers/" + late + "/order-totals").json().get("total_placed").decimalValue())
                .isEqualByComparingTo("15.00");
        await().atMost(Duration.ofSeconds(20)).until(() -> OrderTotals.exact(hub));
    }
}
