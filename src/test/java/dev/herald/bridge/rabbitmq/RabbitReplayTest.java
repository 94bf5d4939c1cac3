package dev.herald.bridge.rabbitmq;

import static dev.herald.testing.Replays.accepted;
import static dev.herald.testing.Replays.completed;
import static dev.herald.testing.Replays.eventIds;
import static dev.herald.testing.Replays.occurredAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.AmqpClient;
import dev.herald.testing.AmqpClient.Delivery;
import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * POST /api/replays to a declared RabbitMQ consumer, on the real broker: exactly the selected events go to that
 * consumer's queue alone, in its format, in order, with their event ids as message ids and the header replay: true.
 */
class RabbitReplayTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BridgeFixture FIXTURE = new BridgeFixture();
    private static final String AUDIT = FIXTURE.queue("audit");
    private static final String CRM = FIXTURE.queue("crm");
    private static final AmqpClient AMQP = FIXTURE.amqp;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        Map<String, String> settings = FIXTURE.settings(true, BridgeFixture.auditAndCrm(AUDIT, CRM));
        settings.putAll(Map.of("herald.replays.page-size", "2", "herald.replays.poll-interval", "100"));
        hub = TestHub.start(settings);
    }

    @AfterAll
    static void stop() {
        hub.close();
        FIXTURE.close();
    }

    @Test
    void replayToAConsumerSendsExactlyTheSelectedEventsToItsQueueInItsFormatInOrder() throws Exception {
        String before = BridgeFixture.createCustomer(hub, "Before");
        String one = BridgeFixture.createCustomer(hub, "One");
        rename(one, "One again");
        String two = BridgeFixture.createCustomer(hub, "Two");
        rename(two, "Two again");
        rename(two, "Two thrice");
        // the bridge declares the queues on its first event; then both consumers get every event live
        await().atMost(PATIENCE).until(() -> FIXTURE.queueExists(AUDIT) && FIXTURE.queueExists(CRM));
        AMQP.consume(AUDIT);
        AMQP.consume(CRM);
        await().atMost(PATIENCE).until(() -> AMQP.received(AUDIT).size() == 6 && AMQP.received(CRM).size() == 6);

        // the legacy consumer: the updates since one's creation
        JsonNode toCrm = accepted(hub, "{\"target\":{\"rabbitmq_consumer\":\"crm\"},\"since\":\""
                + occurredAt(hub, one, 1) + "\",\"types\":[\"customer.updated\"]}");
        List<String> updates = eventIds(hub, "SELECT event_id FROM events WHERE aggregate_id IN (?, ?) "
                + "AND event_type = 'customer.updated' ORDER BY seq", one, two);
        assertThat(updates).hasSize(3);
        assertThat(completed(hub, toCrm).get("sent").asInt()).isEqualTo(3);
        await().atMost(PATIENCE).until(() -> AMQP.received(CRM).size() == 9);
        List<Delivery> replayed = AMQP.received(CRM).subList(6, 9);
        assertThat(replayed.stream().map(Delivery::messageId).toList()).containsExactlyElementsOf(updates);
        for (Delivery delivery : replayed) {
            assertThat(delivery.header("replay")).isEqualTo("true");
            assertThat(delivery.routingKey()).isEqualTo(CRM);
            assertThat(JSON.readTree(delivery.body()).get("event_type").asText()).isEqualTo("CustomerUpdated");
        }

        // the CloudEvents consumer: one aggregate up to a time, marked in the envelope too
        JsonNode toAudit = accepted(hub, "{\"target\":{\"rabbitmq_consumer\":\"audit\"},\"since\":\""
                + occurredAt(hub, before, 1) + "\",\"until\":\"" + occurredAt(hub, two, 2) + "\",\"aggregate_id\":\""
                + two + "\"}");
        List<String> twos = eventIds(hub, "SELECT event_id FROM events WHERE aggregate_id = ? AND aggregate_version <= 2 "
                + "ORDER BY seq", two);
        assertThat(completed(hub, toAudit).get("sent").asInt()).isEqualTo(2);
        await().atMost(PATIENCE).until(() -> AMQP.received(AUDIT).size() == 8);
        List<Delivery> audited = AMQP.received(AUDIT).subList(6, 8);
        assertThat(audited.stream().map(d -> readTree(d).get("id").asText()).toList()).containsExactlyElementsOf(twos);
        assertThat(audited.stream().map(Delivery::messageId).toList()).containsExactlyElementsOf(twos);
        for (Delivery delivery : audited) {
            assertThat(readTree(delivery).get("replay").asBoolean()).isTrue();
            assertThat(delivery.header("replay")).isEqualTo("true");
        }
        // each replay went to its consumer's queue only
        assertThat(AMQP.received(CRM)).hasSize(9);

        assertThat(hub.http.post("/api/replays", "{\"target\":{\"rabbitmq_consumer\":\"billing\"},\"since\":\""
                + occurredAt(hub, one, 1) + "\"}").status()).isEqualTo(404);
    }

    private static JsonNode readTree(Delivery delivery) {
        try {
            return JSON.readTree(delivery.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void rename(String id, String name) {
        assertThat(hub.http.put("/api/customers/" + id, "{\"full_name\":\"" + name + "\"}").status()).isEqualTo(201);
    }
}
