package dev.herald.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.SharedHub;
import dev.herald.testing.TestHub;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, snapshots of ?as_of= reads (V14 state_snapshots, docs/events.md "Snapshots"), on a whole hub and real
 * PostgreSQL: a customer with 2,000 events (created through the API, then updated, deleted at 1,700 and created
 * again at 1,701 in SQL, shaped as the hub writes them) answers its state at many times exactly as a full replay of
 * its events does (folded here, independently, from the events table); the reads take a snapshot every 100 versions
 * (herald.eventsourcing.snapshot-every, shipped 100) and later reads start from them (Herald-Snapshot-Version,
 * Herald-Events-Folded, the hits meter); a snapshot under another key (another fold, other upcasters) is not read,
 * and with none left the answers are the same.
 */
class StateSnapshotsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 2_000;
    private static final int DELETED_AT = 1_700;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        hub = SharedHub.get();
    }

    @Test
    void everyStateAtTIsTheFullReplaysAndLaterReadsStartFromASnapshot() throws Exception {
        Response created = hub.http.post("/api/customers", "{\"full_name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("aggregate_id").asText();
        appendEvents(id);
        List<Instant> times = new ArrayList<>();
        Map<Integer, ObjectNode> replayed = fullReplay(id, times);
        String path = "/api/customers/" + id + "?as_of=";

        // no snapshot yet: the first read folds from version 1, and takes the snapshots up to its version
        Response first = hub.http.get(path + times.get(1000));
        assertState(first, replayed, 1000, times.get(1000));
        assertThat(first.header("Herald-Snapshot-Version")).isEqualTo("0");
        assertThat(first.header("Herald-Events-Folded")).isEqualTo("1000");
        await().atMost(Duration.ofSeconds(30)).until(() -> snapshots(id) == 10);

        double hits = hub.metricSum("herald_state_snapshot_hits_total", "");
        Response fromSnapshot = hub.http.get(path + times.get(1050));
        assertState(fromSnapshot, replayed, 1050, times.get(1050));
        assertThat(fromSnapshot.header("Herald-Snapshot-Version")).isEqualTo("1000");
        assertThat(fromSnapshot.header("Herald-Events-Folded")).isEqualTo("50");
        assertThat(hub.metricSum("herald_state_snapshot_hits_total", "")).isEqualTo(hits + 1);

        List<Integer> versions = List.of(1, 2, 99, 100, 101, 250, 999, 1001, 1234, 1699, DELETED_AT, 1701, 1750,
                1800, 1999, EVENTS);
        for (int version : versions) {
            assertState(hub.http.get(path + times.get(version)), replayed, version, times.get(version));
            // between two events: the state after the earlier one
            Instant between = times.get(version).plusNanos(Duration.between(times.get(version),
                    version < EVENTS ? times.get(version + 1) : times.get(version).plusMillis(1)).toNanos() / 2)
                    .truncatedTo(ChronoUnit.MICROS);   // PostgreSQL's precision
            assertState(hub.http.get(path + between), replayed, version, between);
        }
        assertThat(hub.http.get(path + times.get(1).minusMillis(1)).status()).as("before it existed").isEqualTo(404);

        // every 100 versions a snapshot (the one at 1,700 says: no customer then); each read folds fewer than 100
        await().atMost(Duration.ofSeconds(30)).until(() -> snapshots(id) == EVENTS / 100);
        assertThat(hub.queryLong("SELECT count(*) FROM state_snapshots WHERE aggregate_id = ? AND state IS NULL", id))
                .isEqualTo(1);
        for (int version : versions) {
            Response answer = hub.http.get(path + times.get(version));
            assertState(answer, replayed, version, times.get(version));
            if (answer.status() == 200) {
                assertThat(answer.header("Herald-Snapshot-Version")).isEqualTo(String.valueOf(version / 100 * 100));
                assertThat(Integer.parseInt(answer.header("Herald-Events-Folded"))).isEqualTo(version % 100);
            }
        }

        // a snapshot under another key (taken by another fold, or before an upcaster changed) is never read
        hub.queryLong("""
                WITH planted AS (INSERT INTO state_snapshots (aggregate_type, aggregate_id, fold_key, aggregate_version, state)
                                 SELECT 'customer', ?, fold_key || ' (stale)', 1950, '{"full_name": "wrong"}'
                                   FROM state_snapshots WHERE aggregate_id = ? LIMIT 1 RETURNING 1)
                SELECT count(*) FROM planted""", id, id);
        Response stale = hub.http.get(path + times.get(1960));
        assertState(stale, replayed, 1960, times.get(1960));
        assertThat(stale.header("Herald-Snapshot-Version")).isEqualTo("1900");

        // none left: the same answers, folded from version 1 again
        hub.queryLong("WITH gone AS (DELETE FROM state_snapshots WHERE aggregate_id = ? RETURNING 1) SELECT count(*) FROM gone", id);
        Response replay = hub.http.get(path + times.get(EVENTS));
        assertState(replay, replayed, EVENTS, times.get(EVENTS));
        assertThat(replay.header("Herald-Snapshot-Version")).isEqualTo("0");
        assertThat(replay.header("Herald-Events-Folded")).isEqualTo(String.valueOf(EVENTS));
    }

    @Test
    void aSnapshotGivenInTheQueryStringIsNotStored() {
        Response created = hub.http.post("/api/customers", "{\"full_name\":\"Mallory\",\"email\":\"m@example.com\"}");
        String id = created.json().get("aggregate_id").asText();
        String time = hub.http.get("/api/customers/" + id + "/events").json().at("/events/0/event/time").asText();
        Response answer = hub.http.get("/api/customers/" + id + "?as_of=" + time
                + "&snapshots=%5B%7B%22version%22%3A1%2C%22state%22%3A%7B%22full_name%22%3A%22x%22%7D%7D%5D"
                + "&snapshot_key=x");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.json().get("full_name").asText()).isEqualTo("Mallory");
        // the fold took none (one event), so nothing was handed to the writer: no row now, none later
        assertThat(snapshots(id)).isZero();
    }

    private static long snapshots(String id) {
        return hub.queryLong("SELECT count(*) FROM state_snapshots WHERE aggregate_id = ? AND fold_key NOT LIKE '%(stale)'", id);
    }

    /** 200 with the replayed state at {@code version} (404 when there was none), its version, as_of and ETag. */
    private static void assertState(Response answer, Map<Integer, ObjectNode> replayed, int version, Instant asOf) {
        ObjectNode expected = replayed.get(version);
        if (expected == null) {
            assertThat(answer.status()).as(version + ": " + answer).isEqualTo(404);
            return;
        }
        assertThat(answer.status()).as(version + ": " + answer).isEqualTo(200);
        assertThat(answer.header("ETag")).isEqualTo("\"" + version + "\"");
        ObjectNode state = (ObjectNode) answer.json().deepCopy();
        assertThat(Instant.parse(state.remove("as_of").asText())).isEqualTo(asOf);
        assertThat(state.remove("version").asInt()).isEqualTo(version);
        assertThat(state).as("state at version " + version).isEqualTo(expected);
    }

    /**
     * The state after each version, folded here from the events table (each data merged over the state before it,
     * a customer.deleted ends it; null: no customer), and each version's time into {@code times} (index = version).
     */
    private static Map<Integer, ObjectNode> fullReplay(String id, List<Instant> times) throws Exception {
        Map<Integer, ObjectNode> states = new HashMap<>();
        times.add(null);
        try (Connection connection = hub.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement("""
                        SELECT aggregate_version, event_type, CAST(envelope AS jsonb) ->> 'data', occurred_at FROM events
                         WHERE aggregate_type = 'customer' AND aggregate_id = ? ORDER BY aggregate_version""")) {
            select.setString(1, id);
            ObjectNode state = null;
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    assertThat(rows.getInt(1)).isEqualTo(times.size());
                    if (rows.getString(2).equals("customer.deleted")) {
                        state = null;
                    } else {
                        state = state == null ? JSON.createObjectNode() : state.deepCopy();
                        state.setAll((ObjectNode) JSON.readTree(rows.getString(3)));
                    }
                    states.put(rows.getInt(1), state);
                    times.add(rows.getTimestamp(4).toInstant());
                }
            }
        }
        assertThat(times).hasSize(EVENTS + 1);
        return states;
    }

    /**
     * Versions 2..2,000 as the hub writes them, one millisecond apart: customer.updated (a new email each, a new name
     * every 7th, a field first given at 1,234), customer.deleted at 1,700, customer.created again at 1,701.
     */
    private static void appendEvents(String id) throws SQLException {
        try (Connection connection = hub.dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("""
                        INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                            schema_version, topic, command_id, envelope, occurred_at, published_at)
                        SELECT e.event_id, 'customer', CAST(? AS text), v, e.type, 1, 'customers', gen_random_uuid(),
                               jsonb_build_object('specversion', '1.0', 'id', e.event_id, 'source', '/herald',
                                   'type', e.type, 'subject', CAST(? AS text), 'time', t, 'datacontenttype',
                                   'application/json', 'dataschema', 'urn:herald:schema:' || e.type || ':v1',
                                   'partitionkey', CAST(? AS text), 'aggregatetype', 'customer', 'aggregateversion', v,
                                   'data', e.data)::text,
                               t, t
                          FROM generate_series(2, ?) AS v,
                               LATERAL (SELECT gen_random_uuid() AS event_id,
                                               clock_timestamp() + v * interval '1 millisecond' AS t,
                                               CASE v WHEN ? THEN 'customer.deleted' WHEN ? THEN 'customer.created'
                                                      ELSE 'customer.updated' END AS type,
                                               CASE WHEN v = ? THEN jsonb_build_object('customer_id', CAST(? AS text))
                                                    WHEN v = ? THEN jsonb_build_object('customer_id', CAST(? AS text),
                                                        'full_name', 'Ada again', 'email', 'again@example.com')
                                                    ELSE jsonb_build_object('email', 'ada' || v || '@example.com')
                                                         || CASE WHEN v % 7 = 0 THEN jsonb_build_object('full_name', 'Ada ' || v)
                                                                 ELSE '{}' END
                                                         || CASE WHEN v >= 1234 AND v % 2 = 0
                                                                 THEN jsonb_build_object('phone', '+44 ' || v)
                                                                 ELSE '{}' END END AS data) AS e""")) {
            int i = 1;
            insert.setString(i++, id);
            insert.setString(i++, id);
            insert.setString(i++, id);
            insert.setInt(i++, EVENTS);
            insert.setInt(i++, DELETED_AT);
            insert.setInt(i++, DELETED_AT + 1);
            insert.setInt(i++, DELETED_AT);
            insert.setString(i++, id);
            insert.setInt(i++, DELETED_AT + 1);
            insert.setString(i++, id);
            insert.executeUpdate();
        }
    }
}
