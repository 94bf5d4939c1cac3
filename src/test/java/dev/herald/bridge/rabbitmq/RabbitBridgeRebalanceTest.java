package dev.herald.bridge.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import dev.herald.testing.AmqpClient;
import dev.herald.testing.AmqpClient.Delivery;
import dev.herald.testing.Engines;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Two hubs in one bridge consumer group under steady traffic, the second's bridge leaving and joining the group
 * again and again: each rebalance moves partitions while camel-kafka's batching holds records it read for them.
 * Every queue receives each aggregate's versions exactly once and in order: the records of a partition that moved
 * are left to its new owner (OwnedRecords), not published by both.
 */
class RabbitBridgeRebalanceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final BridgeFixture FIXTURE = new BridgeFixture();
    private static final String AUDIT = FIXTURE.queue("audit");
    private static final String CRM = FIXTURE.queue("crm");
    private static final AmqpClient amqp = FIXTURE.amqp;
    private static final String BRIDGE = "rabbitmq-bridge";
    private static final int AGGREGATES = 6;
    private static final int PARTITIONS = 6;
    /** Leave-and-join rounds of the second hub's bridge: each round two rebalances. */
    private static final int ROUNDS = 3;

    @AfterAll
    static void clean() {
        FIXTURE.close();
    }

    @Test
    void anInstanceLeavingAndJoiningUnderSteadyTrafficRepeatsNothingAndKeepsEachAggregatesOrder() throws Exception {
        Map<String, String> settings = new HashMap<>(FIXTURE.settings(true, BridgeFixture.auditAndCrm(AUDIT, CRM)));
        String group = settings.get("herald.rabbitmq.group");
        String brokers = Engines.get().kafkaBrokers();
        // the partitions exist before the group reads them: aggregates spread over them, every member holds some
        createTopic(brokers, settings.get("herald.topics.customers"));
        try (TestHub first = TestHub.start(settings)) {
            settings.put("herald.db.url", first.setting("herald.db.url"));
            await().atMost(PATIENCE).until(() -> FIXTURE.queueExists(AUDIT) && FIXTURE.queueExists(CRM));
            amqp.consume(AUDIT);
            amqp.consume(CRM);
            List<String> ids = IntStream.range(0, AGGREGATES)
                    .mapToObj(i -> BridgeFixture.createCustomer(first, "Rebalance " + i)).toList();
            try (TestHub second = TestHub.start(settings); Admin admin = Admin.create(
                    Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
                int threads = Integer.parseInt(second.camel().resolvePropertyPlaceholders("{{herald.rabbitmq.threads}}"));
                awaitMembers(admin, group, 2 * threads);
                AtomicBoolean writing = new AtomicBoolean(true);
                ExecutorService writers = Executors.newFixedThreadPool(AGGREGATES);
                List<Future<?>> running = new ArrayList<>();
                for (String id : ids) {
                    running.add(writers.submit(() -> update(first, id, writing)));
                }
                try {
                    for (int round = 0; round < ROUNDS; round++) {
                        awaitMoreArrivals();
                        second.camel().getRouteController().stopRoute(BRIDGE);
                        awaitMembers(admin, group, threads);
                        awaitMoreArrivals();
                        second.camel().getRouteController().startRoute(BRIDGE);
                        awaitMembers(admin, group, 2 * threads);
                    }
                    awaitMoreArrivals();
                } finally {
                    writing.set(false);
                    writers.shutdown();
                }
                for (Future<?> writer : running) {
                    writer.get();
                }

                for (String queue : List.of(AUDIT, CRM)) {
                    for (String id : ids) {
                        long events = first.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ?", id);
                        await().atMost(PATIENCE).until(() -> forAggregate(queue, id).stream()
                                .map(Delivery::messageId).distinct().count() >= events);
                    }
                }
                // every event arrived: with both bridges stopped nothing more is published, and a marker sent
                // now arrives after anything they published (one queue, first in first out)
                first.camel().getRouteController().stopRoute(BRIDGE);
                second.camel().getRouteController().stopRoute(BRIDGE);
                for (String queue : List.of(AUDIT, CRM)) {
                    String marker = "end-" + queue;
                    amqp.channel().basicPublish("", queue, new AMQP.BasicProperties.Builder().messageId(marker).build(),
                            marker.getBytes(StandardCharsets.UTF_8));
                    await().atMost(PATIENCE).until(() -> amqp.received(queue).stream()
                            .anyMatch(d -> marker.equals(d.messageId())));
                }

                assertThat(List.of(first, second)).as("hubs that bridged events")
                        .allMatch(hub -> hub.metricSum("herald_rabbitmq_bridged_total", "") > 0);
                for (String queue : List.of(AUDIT, CRM)) {
                    for (String id : ids) {
                        long events = first.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ?", id);
                        // every arrival, not only the first of each message_id: none twice, none out of order
                        assertThat(forAggregate(queue, id).stream()
                                .map(d -> Long.parseLong(d.header("aggregate_version").toString())))
                                .as("versions of %s in %s, in arrival order", id, queue)
                                .containsExactlyElementsOf(LongStream.rangeClosed(1, events).boxed().toList());
                    }
                }
                assertThat(first.queryLong("SELECT count(*) FROM dead_letters WHERE stage = 'rabbitmq'")).isZero();
            }
        }
    }

    /** One aggregate's updates, one after the other, while the test lasts. */
    private static void update(TestHub hub, String id, AtomicBoolean writing) {
        for (int v = 0; writing.get(); v++) {
            Response updated = hub.http.put("/api/customers/" + id, "{\"full_name\":\"Rebalance v" + v + "\"}");
            assertThat(updated.status()).as(updated.toString()).isEqualTo(201);
            // the load's shape, not a wait: a steady stream, each poll finds some
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }

    /** Until the queue received more messages: the traffic flows through the group as it is now. */
    private static void awaitMoreArrivals() {
        int now = amqp.received(AUDIT).size();
        await().atMost(PATIENCE).until(() -> amqp.received(AUDIT).size() >= now + 4 * AGGREGATES);
    }

    /** Until the group is stable with {@code members} members, each holding a partition. */
    private static void awaitMembers(Admin admin, String group, int members) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> {
            ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            return described.state() == ConsumerGroupState.STABLE && described.members().size() == members
                    && described.members().stream().noneMatch(m -> m.assignment().topicPartitions().isEmpty());
        });
    }

    private static void createTopic(String brokers, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    private static List<Delivery> forAggregate(String queue, String aggregateId) {
        return amqp.received(queue).stream().filter(d -> aggregateId.equals(d.header("aggregate_id"))).toList();
    }
}
