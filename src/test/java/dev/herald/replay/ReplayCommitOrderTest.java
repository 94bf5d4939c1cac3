package dev.herald.replay;

import static dev.herald.testing.Replays.accepted;
import static dev.herald.testing.Replays.completed;
import static dev.herald.testing.Replays.occurredAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A replay has no gaps (V13__replay_order.sql): it does not pass an event whose transaction commits after a later
 * one's, nor one committed but not yet published; it waits for either, sends it in commit order, and only then
 * completes. Outbox mode: the relay publishes, and can be paused.
 */
class ReplayCommitOrderTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String CUSTOMERS = "customers-" + RUN;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        hub = TestHub.start(Map.of(
                "herald.publish.mode", "outbox",
                "herald.topics.customers", CUSTOMERS,
                "herald.topics.orders", "orders-" + RUN,
                "herald.replays.page-size", "2",
                // a replay that waits looks again at the next tick
                "herald.replays.poll-interval", "100"));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void anEventWhoseTransactionCommitsLateIsSentInCommitOrderBeforeTheReplayCompletes() throws Exception {
        String early = published(customer("Early"));
        String late = "late-" + UUID.randomUUID();
        String lateEvent = UUID.randomUUID().toString();
        String overtaking;
        JsonNode replay;
        try (Connection held = hub.dataSource().getConnection()) {
            held.setAutoCommit(false);
            insertEvent(held, lateEvent, late);                          // seq n, not committed
            overtaking = published(customer("Overtaking"));             // seq n + 1, committed and published at once
            assertThat(seqOf(lateEvent, held)).isLessThan(hub.queryLong(
                    "SELECT seq FROM events WHERE aggregate_id = ?", overtaking));
            replay = accepted(hub, "{\"target\":{\"kafka_topic\":\"late-" + RUN + "\"},\"since\":\""
                    + occurredAt(hub, early, 1) + "\",\"types\":[\"customer.*\"]}");
            // what committed before the open transaction goes; the overtaking event waits behind it
            waitsAfter(replay, 1);
            held.commit();
        }
        JsonNode done = completed(hub, replay);
        assertThat(done.get("sent").asInt()).isEqualTo(3);
        // the overtaking event's transaction came last: the replay's position ends there
        assertThat(done.get("position").asLong())
                .isEqualTo(hub.queryLong("SELECT seq FROM events WHERE aggregate_id = ?", overtaking));
        try (TopicReader reader = new TopicReader(hub.brokers(), "late-" + RUN)) {
            List<ConsumerRecord<String, byte[]>> records = await().atMost(PATIENCE)
                    .until(() -> reader.matching(r -> true), r -> r.size() >= 3);
            assertThat(records).hasSize(3);
            assertThat(records.stream().map(ConsumerRecord::key)).containsExactlyInAnyOrder(early, late, overtaking);
            assertThat(reader.recordsFor(late)).singleElement()
                    .satisfies(r -> assertThat(TopicReader.cloudEvent(r).getId()).isEqualTo(lateEvent))
                    .satisfies(r -> assertThat(TopicReader.cloudEvent(r).getExtension("replay")).isEqualTo(true));
        }
    }

    @Test
    void anEventNotYetPublishedWhenTheReplayStartsIsSentOncePublished() throws Exception {
        String first = published(customer("Published"));
        String waiting;
        JsonNode replay;
        hub.camel().getRouteController().stopRoute("relay");
        try {
            waiting = customer("Unpublished");                       // committed; the relay is paused
            replay = accepted(hub, "{\"target\":{\"kafka_topic\":\"unpublished-" + RUN + "\"},\"since\":\""
                    + occurredAt(hub, first, 1) + "\",\"types\":[\"customer.*\"]}");
            waitsAfter(replay, 1);
            assertThat(hub.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ? AND published_at IS NULL",
                    waiting)).isEqualTo(1);
        } finally {
            hub.camel().getRouteController().startRoute("relay");
        }
        assertThat(completed(hub, replay).get("sent").asInt()).isEqualTo(2);
        try (TopicReader reader = new TopicReader(hub.brokers(), "unpublished-" + RUN)) {
            List<ConsumerRecord<String, byte[]>> records = await().atMost(PATIENCE)
                    .until(() -> reader.matching(r -> true), r -> r.size() >= 2);
            assertThat(records.stream().map(ConsumerRecord::key)).containsExactlyInAnyOrder(first, waiting);
        }
    }

    /** The replay sent this many and stays running, sending no more (for a second at least). */
    private static void waitsAfter(JsonNode replay, int sent) {
        String path = "/api/replays/" + replay.get("id").asText();
        await().atMost(PATIENCE).until(() -> hub.http.get(path).json().get("sent").asInt() == sent);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> {
            JsonNode now = hub.http.get(path).json();
            return now.get("status").asText().equals("running") && now.get("sent").asInt() == sent;
        });
    }

    private static String customer(String name) {
        Response created = hub.http.post("/api/customers", "{\"full_name\":\"" + name + "\",\"email\":\""
                + name.toLowerCase() + "." + UUID.randomUUID() + "@example.com\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        return created.json().get("aggregate_id").asText();
    }

    /** The aggregate once the relay published its events. */
    private static String published(String aggregateId) {
        await().atMost(PATIENCE).until(() -> hub.queryLong(
                "SELECT count(*) FROM events WHERE aggregate_id = ? AND published_at IS NULL", aggregateId) == 0);
        return aggregateId;
    }

    /** An event inserted the way the store does, in the caller's transaction. */
    private static void insertEvent(Connection connection, String eventId, String aggregateId) throws Exception {
        String envelope = "{\"specversion\":\"1.0\",\"id\":\"" + eventId + "\",\"source\":\"/herald/tests\","
                + "\"type\":\"customer.created\",\"subject\":\"" + aggregateId + "\","
                + "\"datacontenttype\":\"application/json\",\"data\":{}}";
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                    schema_version, topic, command_id, envelope)
                VALUES (CAST(? AS uuid), 'customer', ?, 1, 'customer.created', 1, ?, gen_random_uuid(), ?)""")) {
            insert.setString(1, eventId);
            insert.setString(2, aggregateId);
            insert.setString(3, CUSTOMERS);
            insert.setString(4, envelope);
            insert.executeUpdate();
        }
    }

    private static long seqOf(String eventId, Connection connection) throws Exception {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT seq FROM events WHERE event_id = CAST(? AS uuid)")) {
            select.setString(1, eventId);
            try (var row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
