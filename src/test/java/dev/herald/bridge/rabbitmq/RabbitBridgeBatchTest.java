package dev.herald.bridge.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.AmqpClient;
import dev.herald.testing.AmqpClient.Delivery;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Batched confirms: many events of few aggregates, written concurrently so that a poll holds several of each
 * partition, go out a partition's share at a time with one confirm wait; every queue receives each aggregate's
 * versions in order, none lost, none twice, and the per-message path is never needed. With
 * herald.rabbitmq.batched-confirms=false every record takes the per-message path, in order alike. Either way the
 * look-up's record (rabbitmq_deliveries) holds every event on each exchange it was confirmed on.
 */
class RabbitBridgeBatchTest {

    private static final BridgeFixture FIXTURE = new BridgeFixture();
    private static final String AUDIT = FIXTURE.queue("audit");
    private static final String CRM = FIXTURE.queue("crm");
    private static final AmqpClient amqp = FIXTURE.amqp;
    private static boolean consuming;

    @AfterAll
    static void clean() {
        FIXTURE.close();
    }

    @Test
    void aPollsEventsAreConfirmedTogetherInOrderPerAggregateNoneLostNoneTwice() throws Exception {
        assertThat(bridgedInOrder(Map.of(), 4, 40)).as("records sent through the per-message path").isZero();
    }

    @Test
    void withoutBatchedConfirmsEachMessageIsConfirmedAloneAndOrderHoldsAlike() throws Exception {
        assertThat(bridgedInOrder(Map.of("herald.rabbitmq.batched-confirms", "false"), 2, 10))
                .as("records sent through the per-message path").isGreaterThanOrEqualTo(2 * 11);
    }

    /**
     * {@code aggregates} customers updated {@code updates} times each, concurrently: how many records the route
     * sent to the per-message path meanwhile.
     */
    private static long bridgedInOrder(Map<String, String> extra, int aggregates, int updates) throws Exception {
        Map<String, String> settings = FIXTURE.settings(true, BridgeFixture.auditAndCrm(AUDIT, CRM));
        settings.putAll(extra);
        try (TestHub hub = TestHub.start(settings)) {
            String first = BridgeFixture.createCustomer(hub, "Batch first");
            await().atMost(Duration.ofSeconds(60)).until(() -> FIXTURE.queueExists(AUDIT) && FIXTURE.queueExists(CRM));
            if (!consuming) {
                amqp.consume(AUDIT);
                amqp.consume(CRM);
                consuming = true;
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> !forAggregate(AUDIT, first).isEmpty());
            AtomicLong perMessage = new AtomicLong();
            EventNotifierSupport sentThere = new EventNotifierSupport() {
                @Override
                public void notify(CamelEvent event) {
                    if (event instanceof ExchangeSentEvent sent
                            && sent.getEndpoint().getEndpointUri().startsWith("direct://rabbitmq-publish")) {
                        perMessage.incrementAndGet();
                    }
                }
            };
            hub.camel().getManagementStrategy().addEventNotifier(sentThere);
            sentThere.start();

            List<String> ids = IntStream.range(0, aggregates)
                    .mapToObj(i -> BridgeFixture.createCustomer(hub, "Batch " + i)).toList();
            ExecutorService writers = Executors.newFixedThreadPool(aggregates);
            try {
                List<Future<?>> writing = new ArrayList<>();
                for (String id : ids) {
                    writing.add(writers.submit(() -> {
                        for (int v = 0; v < updates; v++) {
                            Response updated = hub.http.put("/api/customers/" + id,
                                    "{\"full_name\":\"Batch v" + v + "\"}");
                            assertThat(updated.status()).as(updated.toString()).isEqualTo(201);
                        }
                    }));
                }
                for (Future<?> write : writing) {
                    write.get();
                }
            } finally {
                writers.shutdown();
            }

            List<Integer> expected = IntStream.rangeClosed(1, updates + 1).boxed().toList();
            for (String queue : List.of(AUDIT, CRM)) {
                for (String id : ids) {
                    List<Delivery> received = await().atMost(Duration.ofSeconds(60))
                            .until(() -> forAggregate(queue, id), d -> d.size() >= updates + 1);
                    // every arrival, not only the first of each message_id: the bridge's group rebalances here (its
                    // second thread joins while the first reads), and the records the first had read for a partition
                    // that moved are left to the new owner (docs/rabbitmq.md, "A rebalance repeats nothing")
                    assertThat(received.stream().map(d -> Integer.valueOf(d.header("aggregate_version").toString())))
                            .as("versions of %s in %s, in arrival order", id, queue).containsExactlyElementsOf(expected);
                    assertThat(received.stream().map(Delivery::messageId).distinct()).hasSize(updates + 1);
                }
            }
            assertThat(hub.queryLong("SELECT count(*) FROM dead_letters WHERE stage = 'rabbitmq'")).isZero();
            // the look-up's record: every event on both exchanges, whichever path confirmed it (written after the
            // commit, off the bridge's thread: awaited)
            for (String exchange : List.of(FIXTURE.exchange, FIXTURE.legacyExchange)) {
                for (String id : ids) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryLong("SELECT count(*) FROM events e"
                            + " WHERE e.aggregate_id = ? AND NOT EXISTS (SELECT 1 FROM rabbitmq_deliveries r"
                            + " WHERE r.event_ids @> ARRAY[e.event_id] AND r.exchange = ?)", id, exchange) == 0);
                }
            }
            return perMessage.get();
        }
    }

    private static List<Delivery> forAggregate(String queue, String aggregateId) {
        return amqp.received(queue).stream().filter(d -> aggregateId.equals(d.header("aggregate_id"))).toList();
    }
}
