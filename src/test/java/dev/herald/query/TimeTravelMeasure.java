package dev.herald.query;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A one-off measurement, not a test (docs/performance.md, "State at time T"): the as_of read of a customer with
 * 10,000 events, through HTTP on a whole hub, beside what its SQL costs alone and what the same fold costs done
 * in SQL (a jsonb || aggregate). Needs the HERALD_TEST_* engines. Run:
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) dev.herald.query.TimeTravelMeasure [events] [reads]
 * </pre>
 */
public final class TimeTravelMeasure {

    private static final String EVENTS_UP_TO = """
            SELECT aggregate_version AS version, event_type AS type,
                   CAST(envelope AS jsonb) -> 'data' AS data, CAST(? AS timestamptz) AS as_of
              FROM events
             WHERE aggregate_type = 'customer' AND aggregate_id = ?
               AND aggregate_version <= (SELECT aggregate_version FROM events
                                          WHERE aggregate_type = 'customer' AND aggregate_id = ?
                                            AND occurred_at <= CAST(? AS timestamptz)
                                          ORDER BY aggregate_version DESC LIMIT 1)
             ORDER BY aggregate_version""";

    private static final String FOLD_IN_SQL = """
            SELECT jsonb_merge_agg(CAST(envelope AS jsonb) -> 'data' ORDER BY aggregate_version)
              FROM events
             WHERE aggregate_type = 'customer' AND aggregate_id = ?
               AND aggregate_version <= (SELECT aggregate_version FROM events
                                          WHERE aggregate_type = 'customer' AND aggregate_id = ?
                                            AND occurred_at <= CAST(? AS timestamptz)
                                          ORDER BY aggregate_version DESC LIMIT 1)""";

    private TimeTravelMeasure() {
    }

    public static void main(String[] args) throws Exception {
        try {
            measure(args);
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void measure(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int reads = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        // beside the shipped routes, the same read with the merge done in SQL (a jsonb || aggregate), to compare
        HubHome home = HubHome.copyOfShipped(Files.createTempDirectory("time-travel-measure"))
                .write("routes/fold-in-sql.camel.yaml", """
                        - templatedRoute:
                            routeTemplateRef: query
                            routeId: customer.fold-in-sql
                            parameters:
                              - { name: path, value: "/measure/customers/{id}" }
                              - { name: single, value: "true" }
                              - name: sql
                                value: >-
                                  SELECT jsonb_merge_agg(CAST(envelope AS jsonb) -> 'data' ORDER BY aggregate_version)
                                         || jsonb_build_object('version', max(aggregate_version),
                                                               'as_of', CAST(:#as_of AS timestamptz)) AS data
                                    FROM events
                                   WHERE aggregate_type = 'customer' AND aggregate_id = :#id
                                     AND aggregate_version <= (SELECT aggregate_version FROM events
                                                                WHERE aggregate_type = 'customer' AND aggregate_id = :#id
                                                                  AND occurred_at <= CAST(:#as_of AS timestamptz)
                                                                ORDER BY aggregate_version DESC LIMIT 1)
                                  HAVING count(*) > 0
                        """);
        try (TestHub hub = TestHub.start(home.settings())) {
            Response created = hub.http.post("/api/customers", "{\"full_name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"}");
            String id = created.json().get("aggregate_id").asText();
            Instant last = appendUpdates(hub, id, events);
            Instant middle = Instant.parse(hub.http.get("/api/customers/" + id + "/events?from_version=" + events / 2
                    + "&to_version=" + events / 2).json().at("/events/0/event/time").asText());
            System.out.printf("customer %s: %d events%n", id, events);
            System.out.println(explain(hub, id, last));
            report("HTTP GET ?as_of=<last event's time> (all events folded)", reads,
                    () -> expect(hub.http.get("/api/customers/" + id + "?as_of=" + last), events));
            try (Connection connection = hub.dataSource().getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE AGGREGATE jsonb_merge_agg(jsonb) (SFUNC = jsonb_concat, STYPE = jsonb,"
                        + " INITCOND = '{}')");
            }
            for (int round = 1; round <= 2; round++) {
                report("HTTP GET ?as_of=<last>, round " + round + ": state-at (herald:fold)", reads,
                        () -> expect(hub.http.get("/api/customers/" + id + "?as_of=" + last), events));
                report("HTTP GET ?as_of=<last>, round " + round + ": the merge in SQL instead", reads,
                        () -> expect(hub.http.get("/measure/customers/" + id + "?as_of=" + last), events));
            }
            report("HTTP GET ?as_of=<middle> (half the events folded)", reads,
                    () -> expect(hub.http.get("/api/customers/" + id + "?as_of=" + middle), events / 2));
            report("HTTP GET without as_of (today's row)", reads,
                    () -> expect(hub.http.get("/api/customers/" + id), 1));
            try (Connection connection = hub.dataSource().getConnection()) {
                report("JDBC: the state-at SELECT alone, all rows read", reads,
                        () -> rows(connection, EVENTS_UP_TO, last.toString(), id, id, last.toString()));
                report("JDBC: the same, data taken as json rather than jsonb", reads,
                        () -> rows(connection, EVENTS_UP_TO.replace("AS jsonb", "AS json"), last.toString(), id, id,
                                last.toString()));
                report("JDBC: the same fold in SQL (jsonb || aggregate), one row", reads,
                        () -> rows(connection, FOLD_IN_SQL, id, id, last.toString()));
            }
        }
    }

    /** Versions 2..events as customer.updated events shaped as the hub writes them, one millisecond apart. */
    private static Instant appendUpdates(TestHub hub, String id, int events) throws SQLException {
        try (Connection connection = hub.dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("""
                        INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                            schema_version, topic, command_id, envelope, occurred_at, published_at)
                        SELECT e.event_id, 'customer', ?, v, 'customer.updated', 1, 'customers', gen_random_uuid(),
                               jsonb_build_object('specversion', '1.0', 'id', e.event_id, 'source', '/herald',
                                   'type', 'customer.updated', 'subject', CAST(? AS text), 'time', t, 'datacontenttype',
                                   'application/json', 'dataschema', 'urn:herald:schema:customer.updated:v1',
                                   'partitionkey', CAST(? AS text), 'aggregatetype', 'customer', 'aggregateversion', v,
                                   'data', jsonb_build_object('customer_id', CAST(? AS text), 'full_name', 'Ada Lovelace',
                                                              'email', 'ada' || v || '@example.com'))::text,
                               t, t
                          FROM generate_series(2, ?) AS v,
                               LATERAL (SELECT gen_random_uuid() AS event_id,
                                               clock_timestamp() + v * interval '1 millisecond' AS t) AS e
                        RETURNING occurred_at""")) {
            insert.setString(1, id);
            insert.setString(2, id);
            insert.setString(3, id);
            insert.setString(4, id);
            insert.setInt(5, events);
            Instant last = Instant.EPOCH;
            try (ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    Instant time = rows.getTimestamp(1).toInstant();
                    last = time.isAfter(last) ? time : last;
                }
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("ANALYZE events");
            }
            return last;
        }
    }

    private static String explain(TestHub hub, String id, Instant asOf) throws SQLException {
        StringBuilder plan = new StringBuilder("plan of the state-at SELECT:\n");
        try (Connection connection = hub.dataSource().getConnection();
                PreparedStatement statement = connection.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + EVENTS_UP_TO)) {
            statement.setString(1, asOf.toString());
            statement.setString(2, id);
            statement.setString(3, id);
            statement.setString(4, asOf.toString());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    plan.append("  ").append(rows.getString(1)).append('\n');
                }
            }
        }
        return plan.toString();
    }

    private static void expect(Response answer, int version) {
        if (answer.status() != 200 || answer.json().get("version").asInt() != version) {
            throw new IllegalStateException("expected version " + version + ", got " + answer);
        }
    }

    private static int rows(Connection connection, String sql, String... parameters) {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            int count = 0;
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    rows.getString(rows.getMetaData().getColumnCount() > 1 ? 3 : 1);
                    count++;
                }
            }
            return count;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    interface Read {
        void run() throws Exception;
    }

    /** A warm-up of as many reads, then each read timed: p50, p99, mean in milliseconds. */
    private static void report(String what, int reads, Read read) throws Exception {
        for (int i = 0; i < reads; i++) {
            read.run();
        }
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < reads; i++) {
            long start = System.nanoTime();
            read.run();
            millis.add((System.nanoTime() - start) / 1e6);
        }
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("%-62s p50 %7.2f ms  p99 %7.2f ms  mean %7.2f ms  (%d reads)%n", what,
                sorted[sorted.length / 2], sorted[(int) Math.ceil(sorted.length * 0.99) - 1],
                Arrays.stream(sorted).average().orElse(0), reads);
    }
}
