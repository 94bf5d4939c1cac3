package dev.herald.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.Engines;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.LogLines;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A lane's stranded events (Lane: releaseClaims, releaseStranded): the database commit of a batch succeeded, its
 * Kafka commit failed, and handing the event to the relay (releasing the lane's claim) failed as well. The event
 * still names this instance with a live lease, and this instance's held events do not make an aggregate wait, so
 * without the lane remembering it the aggregate's next command would reach Kafka ahead of it. Real engines, each
 * fault made deterministic:
 * <ul>
 *   <li>the batch's database commit is held by a deferred trigger waiting on an advisory lock the test holds, so
 *   the test knows the events were sent in the lane's Kafka transaction and not yet committed;</li>
 *   <li>meanwhile the test fences the lane's transactional id (a producer of the same id initialises), so the
 *   Kafka commit that follows fails and Kafka aborts the transaction;</li>
 *   <li>a trigger refuses the release of that event's claim (SQLSTATE 08006, as a lost connection) until the test
 *   drops it: the database is unreachable for that statement, and for the next batch's release.</li>
 * </ul>
 * One lane: its transactional id is known ({@code <instance>-lane-0}). The lease (3 x herald.publish.timeout) is
 * long, so the relay cannot be what puts the events in order; the test checks the lease was still held.
 */
class StrandedEventsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void eventsTheLaneCouldNotReleaseAreReleasedBeforeItsNextBatchAndKafkaKeepsTheAggregateOrder() throws Exception {
        String instance = "stranded-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = "customers-" + instance;
        long lock = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        Engines engines = Engines.get();
        try (LogLines lane = new LogLines(Lane.class);
                TestHub hub = TestHub.start(Map.of("herald.instance.id", instance, "herald.publish.lanes", "1",
                "herald.publish.timeout", "10000", "herald.topics.customers", topic,
                "herald.relay.interval", "200"));
                Connection test = DriverManager.getConnection(hub.setting("herald.db.url"), engines.user(),
                        engines.password());
                TopicReader kafka = new TopicReader(hub.brokers(), topic)) {
            Response created = hub.http.post("/api/customers",
                    "{\"full_name\":\"Stranded\",\"email\":\"stranded@example.com\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().get("aggregate_id").asText();
            installFaults(test, id, lock);

            // version 2: its commit waits on the test's lock
            execute(test, "SELECT pg_advisory_lock(" + lock + ")");
            CompletableFuture<Response> stranded = CompletableFuture.supplyAsync(() -> rename(hub, id, "Second"));
            await().atMost(PATIENCE).until(() -> queryLong(test, "SELECT count(*) FROM pg_locks WHERE locktype ="
                    + " 'advisory' AND NOT granted AND classid = 0 AND objid = " + lock) == 1);
            fence(hub.brokers(), instance + "-lane-0");
            execute(test, "SELECT pg_advisory_unlock(" + lock + ")");

            // kept (the database committed), not published (Kafka's commit failed): pending
            Response second = stranded.get();
            assertThat(second.status()).as(second.toString()).isEqualTo(202);
            // the release failed: the lane still holds the event, lease running
            assertThat(queryLong(test, "SELECT count(*) FROM events WHERE aggregate_id = '" + id + "' AND"
                    + " aggregate_version = 2 AND published_at IS NULL AND claimed_by = '" + instance + "'"))
                    .isEqualTo(1);

            // the next batch releases it first; while the database still refuses, that batch fails, keeping nothing
            Response refused = rename(hub, id, "Refused");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isNotBlank();
            assertThat(queryLong(test, "SELECT count(*) FROM events WHERE aggregate_id = '" + id + "'")).isEqualTo(2);

            // the database back: still held by the lane with its lease running (the relay would not take it yet)
            execute(test, "DROP TRIGGER herald_test_unreachable ON events");
            assertThat(queryLong(test, "SELECT count(*) FROM events WHERE aggregate_id = '" + id + "' AND"
                    + " aggregate_version = 2 AND claimed_by = '" + instance + "' AND claimed_until > now()"
                    + " + interval '5 seconds'")).isEqualTo(1);
            // version 3 follows version 2 through the relay instead of overtaking it straight to Kafka
            Response third = rename(hub, id, "Third");
            assertThat(third.status()).as(third.toString()).isEqualTo(202);

            // in Kafka: each version once, in order, nothing lost (the fenced transaction's copy of 2 is aborted)
            await().atMost(PATIENCE).until(() -> versions(kafka, id).size() >= 3);
            assertThat(versions(kafka, id)).containsExactly(1, 2, 3);
            await().atMost(PATIENCE).until(() -> queryLong(test, "SELECT count(*) FROM events WHERE aggregate_id = '"
                    + id + "' AND published_at IS NOT NULL") == 3);

            // the lines about the stranded event carry its trace id, also the one the next batch (another command's)
            // writes when it hands the event over
            String strandedTrace = traceOfVersion2(test, id);
            assertThat(strandedTrace).hasSize(32);
            assertThat(lane.containing("could not be handed to the relay yet")).isNotEmpty()
                    .allSatisfy(line -> assertThat(LogLines.traceId(line)).isEqualTo(strandedTrace));
            assertThat(lane.containing("handed to the relay after the database came back")).singleElement()
                    .satisfies(line -> assertThat(LogLines.traceId(line)).isEqualTo(strandedTrace));
        }
    }

    private static String traceOfVersion2(Connection test, String id) throws SQLException {
        try (Statement statement = test.createStatement(); ResultSet row = statement.executeQuery(
                "SELECT substr(traceparent, 4, 32) FROM events WHERE aggregate_id = '" + id
                        + "' AND aggregate_version = 2")) {
            row.next();
            return row.getString(1);
        }
    }

    private static Response rename(TestHub hub, String id, String name) {
        return hub.http.put("/api/customers/" + id, "{\"full_name\":\"" + name + "\"}");
    }

    /**
     * A deferred trigger holding the commit of the aggregate's version 2 until the test's advisory lock is free,
     * and one refusing to release a lane's claim on the aggregate's unpublished events.
     */
    private static void installFaults(Connection test, String id, long lock) throws SQLException {
        execute(test, """
                CREATE FUNCTION herald_test_hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_advisory_xact_lock_shared(%d); RETURN NULL; END $$""".formatted(lock));
        execute(test, """
                CREATE CONSTRAINT TRIGGER herald_test_hold_commit AFTER INSERT ON events
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                WHEN (NEW.aggregate_id = '%s' AND NEW.aggregate_version = 2)
                EXECUTE FUNCTION herald_test_hold_commit()""".formatted(id));
        execute(test, """
                CREATE FUNCTION herald_test_unreachable() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'test: the database cannot be reached' USING ERRCODE = '08006'; END $$""");
        execute(test, """
                CREATE TRIGGER herald_test_unreachable BEFORE UPDATE ON events FOR EACH ROW
                WHEN (NEW.aggregate_id = '%s' AND OLD.claimed_by IS NOT NULL AND NEW.claimed_by IS NULL
                      AND NEW.published_at IS NULL)
                EXECUTE FUNCTION herald_test_unreachable()""".formatted(id));
    }

    /** A producer of the lane's transactional id: Kafka aborts the lane's open transaction, its commit fails. */
    private static void fence(String brokers, String transactionalId) {
        try (KafkaProducer<String, String> fencing = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            fencing.initTransactions();
        }
    }

    private static List<Integer> versions(TopicReader kafka, String id) {
        return kafka.recordsFor(id).stream().map(record -> Integer.parseInt(String.valueOf(
                TopicReader.cloudEvent(record).getExtension("aggregateversion")))).toList();
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static long queryLong(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }
}
