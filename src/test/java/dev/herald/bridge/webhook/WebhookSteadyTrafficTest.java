package dev.herald.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Events that keep coming, a few per second, are delivered while they come. The fan-out reads Kafka in batches, and
 * camel-kafka hands a partial batch over only at a poll that returns nothing unless batchingIntervalMs is set:
 * steady traffic never gives such a poll, so events waited until 500 had gathered (the two-hub webhook test stalled
 * on it for a minute on a quiet machine).
 */
class WebhookSteadyTrafficTest {

    @Test
    void eventsThatKeepComingAreDeliveredWhileTheyCome() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(); TestHub hub = WebhookHubs.start(Map.of())) {
            WebhookHubs.endpoint(hub, "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"customer.*\"]}");
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger written = new AtomicInteger();
            Thread writer = new Thread(() -> {
                while (writing.get() && written.get() < 1000) {
                    WebhookHubs.customer(hub, "Steady " + written.get());
                    written.incrementAndGet();
                    // the load's shape, not a wait: an event at least every poll, far fewer than a batch's 500
                    LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                }
            }, "steady-writer");
            writer.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> !receiver.received().isEmpty());
                int writtenBeforeTheFirstDelivery = written.get();
                assertThat(writtenBeforeTheFirstDelivery).as("events written before the first was delivered")
                        .isLessThan(250);
            } finally {
                writing.set(false);
                writer.join();
            }
            // the fan-out commits its offsets as it goes (the group's lag is real, a successor reads on from there),
            // not only at a rebalance or a stop
            awaitOffsetsCommitted(hub.brokers(), hub.setting("herald.webhooks.consumer-group"),
                    hub.setting("herald.topics.customers"));
        }
    }

    /** Until the group's committed offset of each partition of the topic is at its end (or its last commit marker). */
    private static void awaitOffsetsCommitted(String brokers, String group, String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest,
                        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                ends.forEach((partition, end) -> {
                    if (end.offset() > 0) {
                        // a transaction's commit marker takes the offset after its last record
                        assertThat(committed.get(partition)).as("committed offset of " + partition).isNotNull();
                        assertThat(committed.get(partition).offset()).as("committed offset of " + partition)
                                .isGreaterThanOrEqualTo(end.offset() - 1);
                    }
                });
            });
        }
    }
}
