package dev.herald.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An event Kafka refuses (larger than its topic allows) is dead-lettered; with strict order the rest of its
 * aggregate waits; once the topic takes it, an operator's retry publishes it with its event id unchanged.
 */
class DeadLetterOperationsTest {

    private static final int TOPIC_LIMIT = 64 * 1024;
    private static TestHub hub;
    private static Admin admin;
    private static String topic;

    @BeforeAll
    static void start() throws Exception {
        topic = "dlq-test-" + UUID.randomUUID();
        hub = TestHub.start(Map.of("herald.publish.mode", "outbox", "herald.relay.interval", "100",
                "herald.relay.max-attempts", "1", "herald.relay.initial-backoff", "10",
                "herald.relay.strict-order-types", "customer.*", "herald.topics.customers", topic));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, hub.brokers()));
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1)
                .configs(Map.of("max.message.bytes", String.valueOf(TOPIC_LIMIT))))).all().get();
    }

    @AfterAll
    static void stop() {
        admin.close();
        hub.close();
    }

    @Test
    void aRefusedEventHoldsBackItsAggregateUntilRetriedWithTheSameEventId() throws Exception {
        String id = createCustomer("Strict");
        UUID tooLarge = insertLargeEvent(id, 2);
        assertThat(hub.http.put("/api/customers/" + id, "{\"full_name\":\"After the large one\"}").status())
                .isEqualTo(202);

        JsonNode letter = awaitDeadLetter(id);
        assertThat(letter.get("eventId").asText()).isEqualTo(tooLarge.toString());
        assertThat(letter.get("stage").asText()).isEqualTo("kafka");
        assertThat(letter.get("destination").asText()).isEqualTo(topic);
        assertThat(letter.get("errorClass").asText()).contains("RecordTooLarge");
        assertThat(letter.get("failureCount").asInt()).isEqualTo(2);
        assertThat(letter.at("/originalEvent/data/padding").asText()).hasSizeGreaterThan(TOPIC_LIMIT);
        assertThat(letter.get("failedAt").isNull()).isFalse();

        // the relay keeps working (another aggregate flows) while this aggregate's version 3 waits
        String other = createCustomer("Unrelated");
        await().atMost(Duration.ofSeconds(30)).until(() -> publishedVersions(other) == 1);
        assertThat(publishedVersions(id)).isEqualTo(1);

        try (TopicReader mirror = new TopicReader(hub.brokers(), "herald.dead-letters")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> mirror.recordsFor(id).stream()
                    .anyMatch(r -> new String(r.value(), StandardCharsets.UTF_8).contains(tooLarge.toString())));
        }

        allowLargeMessages();
        long letterId = letter.get("id").asLong();
        Response retried = hub.http.post("/api/dead-letters/" + letterId + "/retry", "");
        assertThat(retried.status()).as(retried.body()).isEqualTo(202);
        assertThat(retried.json().get("resolution").asText()).isEqualTo("retried");

        try (TopicReader kafka = new TopicReader(hub.brokers(), topic)) {
            List<ConsumerRecord<String, byte[]>> records = await().atMost(Duration.ofSeconds(30))
                    .until(() -> kafka.recordsFor(id), r -> r.size() >= 3);
            assertThat(records).hasSize(3);
            assertThat(records).extracting(r -> TopicReader.cloudEvent(r).getExtension("aggregateversion"))
                    .containsExactly(1, 2, 3);
            assertThat(TopicReader.cloudEvent(records.get(1)).getId()).isEqualTo(tooLarge.toString());
        }
        Response again = hub.http.post("/api/dead-letters/" + letterId + "/retry", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    void aDiscardedDeadLetterIsKeptAndLetsItsAggregateGoOn() throws Exception {
        String id = createCustomer("Discarded");
        insertLargeEvent(id, 2);
        assertThat(hub.http.put("/api/customers/" + id, "{\"full_name\":\"Goes on\"}").status()).isEqualTo(202);
        long letterId = awaitDeadLetter(id).get("id").asLong();

        Response discarded = hub.http.delete("/api/dead-letters/" + letterId);
        assertThat(discarded.status()).as(discarded.body()).isEqualTo(200);
        assertThat(discarded.json().get("resolution").asText()).isEqualTo("discarded");
        assertThat(discarded.json().get("resolvedAt").isNull()).isFalse();
        await().atMost(Duration.ofSeconds(30)).until(() -> publishedVersions(id) == 2); // versions 1 and 3

        assertThat(hub.http.get("/api/dead-letters/" + letterId).json().get("resolution").asText())
                .isEqualTo("discarded");
        assertThat(hub.http.get("/api/dead-letters?aggregate=" + id + "&status=open").json().get("items")).isEmpty();
        assertThat(hub.http.post("/api/dead-letters/retry?aggregate=" + id, "").json().get("retried").asInt())
                .isZero();
        assertThat(hub.http.get("/api/dead-letters/999999999").status()).isEqualTo(404);
        assertThat(hub.http.get("/api/dead-letters?since=not-a-time").status()).isEqualTo(400);
    }

    private static String createCustomer(String name) {
        Response created = hub.http.post("/api/customers",
                "{\"full_name\":\"" + name + "\",\"email\":\"dl@example.com\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        String id = created.json().get("aggregate_id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> publishedVersions(id) == 1);
        return id;
    }

    /** An event larger than the topic allows, as a declared command with a big payload would make. */
    private static UUID insertLargeEvent(String aggregateId, int version) throws Exception {
        UUID eventId = UUID.randomUUID();
        String envelope = "{\"specversion\":\"1.0\",\"id\":\"" + eventId + "\",\"source\":\"/test\","
                + "\"type\":\"customer.updated\",\"aggregateversion\":" + version + ",\"partitionkey\":\""
                + aggregateId + "\",\"datacontenttype\":\"application/json\",\"data\":{\"padding\":\""
                + "x".repeat(2 * TOPIC_LIMIT) + "\"}}";
        try (Connection connection = hub.dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("""
                        INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                            schema_version, topic, command_id, envelope)
                        VALUES (?, 'customer', ?, ?, 'customer.updated', 1, ?, gen_random_uuid(), ?)""")) {
            insert.setObject(1, eventId);
            insert.setString(2, aggregateId);
            insert.setInt(3, version);
            insert.setString(4, topic);
            insert.setString(5, envelope);
            insert.executeUpdate();
        }
        return eventId;
    }

    private static JsonNode awaitDeadLetter(String aggregateId) {
        return await().atMost(Duration.ofSeconds(30))
                .until(() -> hub.http.get("/api/dead-letters?stage=kafka&status=open&aggregate=" + aggregateId)
                        .json().get("items"), items -> items.size() == 1)
                .get(0);
    }

    private static long publishedVersions(String aggregateId) {
        return hub.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ? AND published_at IS NOT NULL",
                aggregateId);
    }

    private static void allowLargeMessages() throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                new AlterConfigOp(new ConfigEntry("max.message.bytes", String.valueOf(4 * TOPIC_LIMIT)),
                        AlterConfigOp.OpType.SET)))).all().get();
    }
}
