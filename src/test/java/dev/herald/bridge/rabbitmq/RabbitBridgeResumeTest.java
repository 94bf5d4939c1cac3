package dev.herald.bridge.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.AmqpClient;
import dev.herald.testing.Engines;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge stopped (hub down) resumes where its consumer group stopped: every event published meanwhile
 * arrives, none skipped. A message larger than herald.rabbitmq.max-message-size is dead-lettered alone: the
 * same event's smaller legacy message is delivered, and what follows flows.
 */
class RabbitBridgeResumeTest {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String EXCHANGE = "herald.events.test-" + RUN;
    private static final String LEGACY_EXCHANGE = "herald.events.legacy.test-" + RUN;
    private static final String DLX = "herald.events.dlx.test-" + RUN;
    private static final String AUDIT = "herald.test-" + RUN + ".audit";
    private static final String CRM = "herald.test-" + RUN + ".crm";

    private static Map<String, String> settings;
    private static AmqpClient amqp;

    @BeforeAll
    static void declare() throws IOException {
        Path consumers = Files.createTempFile("herald-rabbitmq-", ".yaml");
        Files.writeString(consumers, """
                consumers:
                  - { name: audit, queue: %s, bindings: [ "customer.*" ] }
                  - { name: crm, queue: %s, format: legacy, bindings: [ "customer.*" ] }
                """.formatted(AUDIT, CRM));
        settings = new HashMap<>(Map.of(
                "herald.rabbitmq.consumers-file", consumers.toString(),
                "herald.rabbitmq.exchange", EXCHANGE,
                "herald.rabbitmq.legacy-exchange", LEGACY_EXCHANGE,
                "herald.rabbitmq.dead-letter-exchange", DLX,
                "herald.rabbitmq.group", "herald-rabbitmq-test-" + RUN,
                "herald.topics.customers", "customers-" + RUN,
                "herald.topics.orders", "orders-" + RUN));
        amqp = new AmqpClient(Engines.get().amqp().url());
    }

    @AfterAll
    static void clean() {
        amqp.deleteQuietly(List.of(AUDIT, CRM, AUDIT + ".dlq", CRM + ".dlq"), List.of(EXCHANGE, LEGACY_EXCHANGE, DLX));
        amqp.close();
    }

    @Test
    void aStoppedBridgeResumesWhereItStoppedAndATooLargeMessageIsDeadLetteredAlone() throws Exception {
        Set<String> before;
        try (TestHub hub = bridgeHub(Map.of())) {
            before = Set.of(create(hub, "Before 1"), create(hub, "Before 2"));
            await().atMost(Duration.ofSeconds(60)).until(() -> queueExists(AUDIT) && queueExists(CRM));
            amqp.consume(AUDIT);
            amqp.consume(CRM);
            await().atMost(Duration.ofSeconds(30)).until(() -> aggregates(AUDIT).containsAll(before));
        }
        // the bridge is down: the hub keeps taking commands (its own bridge off), Kafka keeps the events
        Set<String> meanwhile;
        try (TestHub withoutBridge = TestHub.start(withBridge(false, Map.of()))) {
            meanwhile = Set.of(create(withoutBridge, "Meanwhile 1"), create(withoutBridge, "Meanwhile 2"),
                    create(withoutBridge, "Meanwhile 3"));
        }
        // a CloudEvent is about 500 bytes, the legacy envelope about 150: only the former is too large
        try (TestHub hub = bridgeHub(Map.of("herald.rabbitmq.max-message-size", "300"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> aggregates(CRM).containsAll(meanwhile));
            for (String id : meanwhile) {
                await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryLong("SELECT count(*) FROM dead_letters"
                        + " WHERE stage = 'rabbitmq' AND aggregate_id = ? AND destination = ?"
                        + " AND failure_reason LIKE '%max-message-size%'", id, EXCHANGE) >= 1);
            }
            String later = create(hub, "Later");
            await().atMost(Duration.ofSeconds(30)).until(() -> aggregates(CRM).contains(later));
        }
        assertThat(aggregates(AUDIT)).containsAll(before).doesNotContainAnyElementsOf(meanwhile);
        assertThat(aggregates(CRM)).containsAll(before).containsAll(meanwhile);
    }

    private static TestHub bridgeHub(Map<String, String> extra) {
        return TestHub.start(withBridge(true, extra));
    }

    private static Map<String, String> withBridge(boolean enabled, Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("herald.rabbitmq.enabled", String.valueOf(enabled));
        all.putAll(extra);
        return all;
    }

    private static Set<String> aggregates(String queue) {
        return amqp.received(queue).stream().map(d -> String.valueOf(d.header("aggregate_id")))
                .collect(Collectors.toSet());
    }

    private static String create(TestHub hub, String name) {
        Response created = hub.http.post("/api/customers", "{\"full_name\":\"" + name + "\",\"email\":\"x@example.com\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("aggregate_id").asText();
    }

    private static boolean queueExists(String queue) {
        try (var channel = amqp.channel().getConnection().createChannel()) {
            channel.queueDeclarePassive(queue);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
