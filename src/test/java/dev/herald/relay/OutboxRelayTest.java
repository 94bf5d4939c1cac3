package dev.herald.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.LogLines;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Outbox mode: 202 at once, the relay publishes in version order; a poison event is dead-lettered. */
class OutboxRelayTest {

    private static TestHub hub;

    @BeforeAll
    static void start() {
        hub = TestHub.start(Map.of("herald.publish.mode", "outbox", "herald.relay.interval", "100",
                "herald.relay.max-attempts", "2", "herald.relay.initial-backoff", "10"));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void acceptedCommandsArePublishedByTheRelayInVersionOrder() {
        Response accepted = hub.http.post("/api/customers", "{\"full_name\":\"Later\",\"email\":\"later@example.com\"}");
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        assertThat(accepted.json().at("/event/status").asText()).isEqualTo("pending");
        String id = accepted.json().get("aggregate_id").asText();
        for (int i = 0; i < 5; i++) {
            assertThat(hub.http.put("/api/customers/" + id, "{\"full_name\":\"Later " + i + "\"}").status())
                    .isEqualTo(202);
        }

        try (TopicReader kafka = new TopicReader(hub.brokers(), "customers")) {
            List<ConsumerRecord<String, byte[]>> records = await().atMost(Duration.ofSeconds(30))
                    .until(() -> kafka.recordsFor(id), r -> r.size() >= 6);
            assertThat(records).extracting(r -> TopicReader.cloudEvent(r).getExtension("aggregateversion"))
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, 6).boxed().toList());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.queryLong(
                "SELECT count(*) FROM events WHERE aggregate_id = ? AND published_at IS NOT NULL", id) == 6);
        assertThat(hub.http.get("/api/customers/" + id + "/events").json().at("/events/5/status").asText())
                .isEqualTo("published");
        JsonNode command = hub.http.get("/api/commands/" + accepted.json().get("command_id").asText()).json();
        assertThat(command.at("/event/status").asText()).isEqualTo("published");
        assertThat(command.at("/event/published_at").asText()).isNotBlank();
        assertThat(command.get("aggregate_id").asText()).isEqualTo(id);
        assertThat(hub.http.get("/api/commands/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    /** The trap of "publish after the last seq seen": a transaction that took its seq early but commits late. */
    @Test
    void anEventWhoseTransactionCommitsLateIsStillPublished() throws Exception {
        String slow = "slow-" + UUID.randomUUID();
        try (Connection connection = hub.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                        schema_version, topic, command_id, envelope)
                    VALUES (gen_random_uuid(), 'customer', ?, 1, 'customer.created', 1, 'customers',
                            gen_random_uuid(), '{"specversion":"1.0"}')""")) {
                insert.setString(1, slow);
                insert.executeUpdate();
            }
            // meanwhile later events (higher seq) are committed and published
            Response later = hub.http.post("/api/customers", "{\"full_name\":\"Overtakes\",\"email\":\"o@example.com\"}");
            String overtaking = later.json().get("aggregate_id").asText();
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryLong(
                    "SELECT count(*) FROM events WHERE aggregate_id = ? AND published_at IS NOT NULL", overtaking) == 1);
            assertThat(hub.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ?", slow)).isZero();
            connection.commit();
        }
        assertThat(hub.queryLong("SELECT max(seq) FROM events WHERE aggregate_id = ?", slow))
                .isLessThan(hub.queryLong("SELECT max(seq) FROM events WHERE published_at IS NOT NULL"));
        try (TopicReader kafka = new TopicReader(hub.brokers(), "customers")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> kafka.recordsFor(slow).size() == 1);
        }
    }

    @Test
    void anEventKafkaRefusesIsDeadLetteredAndTheRestFlows() throws Exception {
        String poison = UUID.randomUUID().toString();
        try (Connection connection = hub.dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("""
                        INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                            schema_version, topic, command_id, envelope)
                        VALUES (CAST(? AS uuid), 'customer', ?, 1, 'customer.created', 1, 'customers', gen_random_uuid(), ?)""")) {
            insert.setString(1, poison);
            insert.setString(2, "poison-" + poison);
            insert.setString(3, "{\"padding\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}");
            insert.executeUpdate();
        }
        Response healthy = hub.http.post("/api/customers", "{\"full_name\":\"After\",\"email\":\"after@example.com\"}");
        assertThat(healthy.status()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryLong(
                "SELECT count(*) FROM dead_letters WHERE event_id = CAST(? AS uuid)", poison) == 1);
        assertThat(hub.queryLong("SELECT failure_count FROM dead_letters WHERE event_id = CAST(? AS uuid)", poison))
                .isEqualTo(3);
        assertThat(hub.queryLong("SELECT count(*) FROM dead_letters WHERE event_id = CAST(? AS uuid) AND stage = 'kafka'"
                + " AND error_class LIKE '%RecordTooLarge%' AND original_event ->> 'padding' IS NOT NULL", poison)).isEqualTo(1);
        assertThat(hub.queryLong("SELECT count(*) FROM events WHERE event_id = CAST(? AS uuid) AND dead_lettered_at IS NOT"
                + " NULL AND published_at IS NULL", poison)).isEqualTo(1);
        String after = healthy.json().get("aggregate_id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryLong(
                "SELECT count(*) FROM events WHERE aggregate_id = ? AND published_at IS NOT NULL", after) == 1);
        assertThat(hub.queryLong("SELECT count(*) FROM dead_letters WHERE aggregate_id = ?", after)).isZero();
    }

    /**
     * A batch of several events Kafka does not take: Camel's retry line for it (written by the route's error handler
     * after the relay's step threw) carries every event's trace id, in batch order (MDC trace_ids); the dead letter of
     * the event Kafka refused carries its own trace id alone.
     */
    @Test
    void theRetryLineOfABatchKafkaRefusesCarriesEveryEventsTraceId() throws Exception {
        List<String> traces = IntStream.range(0, 4).mapToObj(i -> UUID.randomUUID().toString().replace("-", ""))
                .toList();
        String poison = UUID.randomUUID().toString();
        try (LogLines camel = new LogLines("org.apache.camel");
                LogLines deadLettered = new LogLines(DeadLetterStore.class)) {
            try (Connection connection = hub.dataSource().getConnection();
                    PreparedStatement insert = connection.prepareStatement("""
                            INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                                schema_version, topic, command_id, envelope, traceparent)
                            VALUES (CAST(? AS uuid), 'customer', ?, 1, 'customer.created', 1, 'customers',
                                    gen_random_uuid(), ?, ?)""")) {
                // one transaction: the relay claims the four together, in this order; the third one too large
                connection.setAutoCommit(false);
                for (int i = 0; i < traces.size(); i++) {
                    String eventId = i == 2 ? poison : UUID.randomUUID().toString();
                    insert.setString(1, eventId);
                    insert.setString(2, "traced-" + eventId);
                    // the context stored with the event: its column and (as Herald writes it) its envelope's
                    String traceparent = "00-" + traces.get(i) + "-00f067aa0ba902b7-01";
                    insert.setString(3, "{\"specversion\":\"1.0\",\"traceparent\":\"" + traceparent + "\""
                            + (i == 2 ? ",\"padding\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}" : "}"));
                    insert.setString(4, traceparent);
                    insert.addBatch();
                }
                insert.executeBatch();
                connection.commit();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryLong(
                    "SELECT count(*) FROM dead_letters WHERE event_id = CAST(? AS uuid)", poison) == 1);
            // the same batch failed twice before its poison was given up on (herald.relay.max-attempts = 2)
            assertThat(camel.containing("On delivery attempt").stream().map(LogLines::traceIds)
                    .filter(ids -> ids.contains(traces.get(0)))).hasSize(2).allSatisfy(ids ->
                            assertThat(ids).containsSubsequence(traces));
            assertThat(deadLettered.containing("event " + poison)).singleElement().satisfies(line -> {
                assertThat(LogLines.traceId(line)).isEqualTo(traces.get(2));
                assertThat(LogLines.traceIds(line)).isEmpty();
            });
        }
        // the three Kafka aborted with the poison's transaction were fine: published, never dead-lettered
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryLong("SELECT count(*) FROM events"
                + " WHERE aggregate_id LIKE 'traced-%' AND event_id <> CAST(? AS uuid) AND published_at IS NOT NULL"
                + " AND traceparent LIKE ANY (?)", poison, likeAny(traces)) == 3);
        assertThat(hub.queryLong("SELECT count(*) FROM dead_letters d JOIN events e ON e.event_id = d.event_id"
                + " WHERE e.event_id <> CAST(? AS uuid) AND e.traceparent LIKE ANY (?)", poison, likeAny(traces)))
                .isZero();
    }

    private static String[] likeAny(List<String> traceIds) {
        return traceIds.stream().map(id -> "00-" + id + "-%").toArray(String[]::new);
    }
}
