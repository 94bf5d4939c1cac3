package dev.herald.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.bridge.webhook.WebhookReceiver.Answer;
import dev.herald.bridge.webhook.WebhookReceiver.Received;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Two hubs on one database and one Kafka, in one webhook consumer group: each event is fanned out once across
 * them (one delivery row per endpoint and event, records read about once), each delivered to the receiver under
 * its one webhook-id (repeats only as retries of that id), every aggregate's attempts in version order although
 * its commands went through both hubs.
 */
class WebhookInstancesTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int AGGREGATES = 10;

    @Test
    void twoHubsFanOutEachEventOnceAndDeliverEachAggregateInOrder() throws Exception {
        // the first attempt of every even version fails: an aggregate's next event waits for that retry, whichever
        // instance claims it
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        try (WebhookReceiver receiver = new WebhookReceiver().answering(request ->
                request.json().path("aggregateversion").asInt() % 2 == 0 && failedOnce.add(request.header("webhook-id"))
                        ? Answer.status(500) : Answer.ok())) {
            String group = "shared-" + UUID.randomUUID();
            Map<String, String> settings = new HashMap<>(WebhookHubs.settings(Map.of(
                    "herald.webhooks.consumer-group", group)));
            try (TestHub first = TestHub.start(settings)) {
                settings.put("herald.db.url", first.setting("herald.db.url"));
                // the topics exist before the group shares them (a consumer finds a topic created after it joined
                // only at its next metadata refresh), and each hub holds some of their partitions before the load
                String brokers = first.setting("herald.kafka.brokers");
                createTopics(brokers, settings.get("herald.topics.customers"), settings.get("herald.topics.orders"));
                awaitPartitionsHeld(brokers, group, 1);
                try (TestHub second = TestHub.start(settings)) {
                    awaitPartitionsHeld(brokers, group, 2);
                    List<TestHub> hubs = List.of(first, second);
                    WebhookHubs.endpoint(first, "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"customer.*\"]}");
                    List<String> ids = new CopyOnWriteArrayList<>();
                    for (int i = 0; i < AGGREGATES; i++) {
                        ids.add(WebhookHubs.customer(hubs.get(i % 2), "Shared " + i));
                    }
                    ExecutorService writers = Executors.newFixedThreadPool(4);
                    List<Future<?>> running = new ArrayList<>();
                    for (int w = 0; w < 4; w++) {
                        TestHub via = hubs.get(w % 2);
                        running.add(writers.submit(() -> {
                            for (int u = 0; u < 25; u++) {
                                rename(via, ids.get(ThreadLocalRandom.current().nextInt(AGGREGATES)), "v" + u);
                            }
                        }));
                    }
                    for (Future<?> writer : running) {
                        writer.get();
                    }
                    writers.shutdown();
                    // which hub owns which partition is the group's choice, and the second joins while the first
                    // reads: new aggregates (new partition keys) go on until both have fanned out some
                    try {
                        await().atMost(PATIENCE).untilAsserted(() -> {
                            ids.add(WebhookHubs.customer(hubs.get(ids.size() % 2), "More " + ids.size()));
                            assertThat(hubs.stream().map(WebhookInstancesTest::fanOutRecords).toList())
                                    .allMatch(records -> records > 0);
                        });
                    } catch (ConditionTimeoutException e) {
                        throw new AssertionError("fan-out records per hub " + hubs.stream()
                                .map(WebhookInstancesTest::fanOutRecords).toList() + "; " + group(brokers, group)
                                + "\n" + consumerThreads(), e);
                    }

                    long events = first.queryLong("SELECT count(*) FROM events");
                    await().atMost(PATIENCE).until(() -> first.queryLong(
                            "SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'") == events);
                    // one row per (endpoint, event): the fan-out was done once, whoever did it
                    assertThat(first.count("webhook_deliveries")).isEqualTo(events);
                    assertThat(hubs.stream().mapToDouble(hub -> hub.metricSum(
                            "herald_webhooks_fanout_deliveries_total", "")).sum()).isEqualTo((double) events);
                    // records read across the group: once each, plus what a rebalance repeated (a group per
                    // instance would read every record twice)
                    assertThat(hubs.stream().mapToDouble(WebhookInstancesTest::fanOutRecords).sum())
                            .isGreaterThanOrEqualTo(events).isLessThan(2.0 * events);

                    List<Received> posts = receiver.received().stream().filter(r -> r.method().equals("POST")).toList();
                    Set<String> eventIds = posts.stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
                    assertThat(eventIds).hasSize((int) events);
                    for (String id : ids) {
                        // every attempt of an aggregate in version order: a later version only after the earlier
                        // one succeeded, which hub ever sent it
                        List<Integer> versions = receiver.forAggregate(id).stream()
                                .map(r -> r.json().path("aggregateversion").asInt()).toList();
                        assertThat(versions).as(id).isSorted();
                        assertThat(versions.stream().distinct().count()).as(id)
                                .isEqualTo(first.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ?", id));
                    }
                }
            }
        }
    }

    /** Two hubs racing on one aggregate: the loser hears 409; 202 when publishing outlasted its wait. */
    private static void rename(TestHub via, String id, String name) {
        Response answer = via.http.put("/api/customers/" + id, "{\"full_name\":\"" + name + "\"}");
        assertThat(answer.status()).as(answer.toString()).isIn(201, 202, 409);
    }

    private static void createTopics(String brokers, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            for (String topic : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }

    /** Until the group has {@code members} members, each holding at least one partition. */
    private static void awaitPartitionsHeld(String brokers, String group, int members) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() -> {
                ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                return described.members().size() == members && described.members().stream()
                        .allMatch(member -> !member.assignment().topicPartitions().isEmpty());
            });
        }
    }

    /** Who holds which partition, where the group's offsets are and where the partitions end: what a stall is. */
    private static String group(String brokers, String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            described.members().forEach(member -> member.assignment().topicPartitions()
                    .forEach(partition -> latest.put(partition, OffsetSpec.latest())));
            Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest,
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
            StringBuilder text = new StringBuilder("group ").append(described.state());
            described.members().forEach(member -> member.assignment().topicPartitions().forEach(partition ->
                    text.append("\n  ").append(member.clientId()).append(' ').append(partition).append(" committed ")
                            .append(committed.get(partition) == null ? "-" : committed.get(partition).offset())
                            .append(" end(read_committed) ").append(ends.get(partition).offset())));
            return text.toString();
        }
    }

    private static String consumerThreads() {
        StringBuilder text = new StringBuilder();
        for (ThreadInfo thread : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            if (thread.getThreadName().contains("KafkaConsumer") || thread.getThreadName().contains("webhooks")) {
                text.append(thread.getThreadName()).append(' ').append(thread.getThreadState()).append('\n');
                for (StackTraceElement frame : thread.getStackTrace()) {
                    text.append("    at ").append(frame).append('\n');
                }
            }
        }
        return text.toString();
    }

    private static double fanOutRecords(TestHub hub) {
        return hub.metricSum("herald_webhooks_fanout_records_total", "");
    }
}
