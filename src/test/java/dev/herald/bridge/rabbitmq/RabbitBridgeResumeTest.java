package dev.herald.bridge.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.AmqpClient;
import dev.herald.testing.LogLines;
import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge stopped (hub down) resumes where its consumer group stopped: every event published meanwhile
 * arrives, none skipped. A message larger than herald.rabbitmq.max-message-size is dead-lettered alone: the
 * same event's smaller legacy message is delivered, and what follows flows.
 */
class RabbitBridgeResumeTest {

    private static final BridgeFixture FIXTURE = new BridgeFixture();
    private static final String EXCHANGE = FIXTURE.exchange;
    private static final String AUDIT = FIXTURE.queue("audit");
    private static final String CRM = FIXTURE.queue("crm");
    private static final String DECLARATIONS = BridgeFixture.auditAndCrm(AUDIT, CRM);
    private static final AmqpClient amqp = FIXTURE.amqp;

    @AfterAll
    static void clean() {
        FIXTURE.close();
    }

    @Test
    void aStoppedBridgeResumesWhereItStoppedAndATooLargeMessageIsDeadLetteredAlone() throws Exception {
        Set<String> before;
        try (TestHub hub = bridgeHub(Map.of())) {
            before = Set.of(BridgeFixture.createCustomer(hub, "Before 1"), BridgeFixture.createCustomer(hub, "Before 2"));
            await().atMost(Duration.ofSeconds(60)).until(() -> FIXTURE.queueExists(AUDIT) && FIXTURE.queueExists(CRM));
            amqp.consume(AUDIT);
            amqp.consume(CRM);
            await().atMost(Duration.ofSeconds(30)).until(() -> aggregates(AUDIT).containsAll(before));
        }
        // the bridge is down: the hub keeps taking commands (its own bridge off), Kafka keeps the events
        Set<String> meanwhile = new HashSet<>();
        List<String> traces = List.of("1bf92f3577b34da6a3ce929d0e0e4731", "2bf92f3577b34da6a3ce929d0e0e4732",
                "3bf92f3577b34da6a3ce929d0e0e4733");
        try (TestHub withoutBridge = TestHub.start(withBridge(false, Map.of()))) {
            for (int i = 0; i < traces.size(); i++) {
                meanwhile.add(BridgeFixture.createCustomer(withoutBridge, "Meanwhile " + (i + 1), "traceparent",
                        "00-" + traces.get(i) + "-00f067aa0ba902b7-01"));
            }
        }
        // a CloudEvent is about 500 bytes, the legacy envelope about 150: only the former is too large
        try (LogLines fallback = new LogLines(RabbitBatches.class);
                TestHub hub = bridgeHub(Map.of("herald.rabbitmq.max-message-size", "300"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> aggregates(CRM).containsAll(meanwhile));
            for (String id : meanwhile) {
                await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryLong("SELECT count(*) FROM dead_letters"
                        + " WHERE stage = 'rabbitmq' AND aggregate_id = ? AND destination = ?"
                        + " AND failure_reason LIKE '%max-message-size%'", id, EXCHANGE) >= 1);
            }
            String later = BridgeFixture.createCustomer(hub, "Later");
            await().atMost(Duration.ofSeconds(30)).until(() -> aggregates(CRM).contains(later));
            // the lines of the partitions' batches published again one by one carry their records' trace ids
            // (trace_ids of several, trace_id of one)
            assertThat(fallback.containing("again one message at a time").stream().flatMap(line -> Stream.concat(
                    LogLines.traceIds(line).stream(), Stream.ofNullable(LogLines.traceId(line))))).containsAll(traces);
        }
        assertThat(aggregates(AUDIT)).containsAll(before).doesNotContainAnyElementsOf(meanwhile);
        assertThat(aggregates(CRM)).containsAll(before).containsAll(meanwhile);
    }

    private static TestHub bridgeHub(Map<String, String> extra) {
        return TestHub.start(withBridge(true, extra));
    }

    private static Map<String, String> withBridge(boolean enabled, Map<String, String> extra) {
        Map<String, String> all = FIXTURE.settings(enabled, DECLARATIONS);
        all.putAll(extra);
        return all;
    }

    private static Set<String> aggregates(String queue) {
        return amqp.received(queue).stream().map(d -> String.valueOf(d.header("aggregate_id")))
                .collect(Collectors.toSet());
    }


}
