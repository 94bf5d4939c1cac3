package dev.herald.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22's catch-up measurement, on request only ({@code -Dmeasure.projection=true -Dtest=CatchUpMeasurement}): the
 * shipped projection catching up on a store of {@code measure.projection.events} (200,000) order events, beside plain
 * JDBC running the same upsert per event, read the same way, 500 events per transaction. Goal: at least half the
 * raw rate. Without its output topic unless {@code -Dmeasure.projection.output=true}.
 */
@EnabledIfSystemProperty(named = "measure.projection", matches = "true")
class CatchUpMeasurement {

    private static final int EVENTS = Integer.getInteger("measure.projection.events", 200_000);
    private static final String UPSERT = """
            INSERT INTO raw_order_totals (customer_id, orders_placed, total_placed) VALUES (?, 1, ?)
            ON CONFLICT (customer_id) DO UPDATE SET orders_placed = raw_order_totals.orders_placed + 1,
                total_placed = raw_order_totals.total_placed + EXCLUDED.total_placed
            RETURNING customer_id, orders_placed, orders_cancelled, total_placed""";

    @Test
    void catchUpRateBesideRawJdbc(@TempDir Path dir) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("herald.relay.enabled", "false"));
        if (!Boolean.getBoolean("measure.projection.output")) {
            // the raw baseline writes no output topic: neither does the projection measured beside it
            HubHome home = HubHome.copyOfShipped(dir);
            Path route = home.routes().resolve("customer-order-totals.camel.yaml");
            Files.writeString(route, Files.readString(route).replaceAll("(?m)^\\s+output(Key)?: .*\\n", ""));
            settings.putAll(home.settings());
        }
        try (TestHub hub = TestHub.start(settings)) {
            try (Connection connection = hub.dataSource().getConnection(); Statement sql = connection.createStatement()) {
                sql.execute("UPDATE projections SET status = 'failed' WHERE name = 'customer-order-totals'");
                sql.execute("""
                        INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                            schema_version, topic, command_id, envelope, published_at)
                        SELECT gen_random_uuid(), 'order', 'o-' || i, 1, 'order.created', 1, 'orders', gen_random_uuid(),
                               json_build_object('specversion', '1.0', 'type', 'order.created', 'data',
                                   json_build_object('order_id', 'o-' || i, 'customer_id', 'c-' || (i %% 1000),
                                                     'total', (i %% 100) + 0.5))::text, now()
                          FROM generate_series(1, %d) AS i""".formatted(EVENTS));
                sql.execute("CREATE TABLE raw_order_totals (LIKE customer_order_totals INCLUDING ALL)");
                sql.execute("ANALYZE events");
            }
            long started = System.nanoTime();
            try (Connection connection = hub.dataSource().getConnection(); Statement sql = connection.createStatement()) {
                sql.execute("UPDATE projections SET status = 'live' WHERE name = 'customer-order-totals'");
            }
            await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> hub.queryLong("SELECT applied FROM projections") == EVENTS);
            double herald = EVENTS / ((System.nanoTime() - started) / 1e9);
            double raw = raw(hub);
            System.out.printf("CATCH-UP %d events: Herald %.0f events/s, raw JDBC %.0f events/s, ratio %.2f%n", EVENTS,
                    herald, raw, herald / raw);
            assertThat(OrderTotals.mismatches(hub)).isZero();
            assertThat(herald / raw).isGreaterThanOrEqualTo(0.5);
        }
    }

    /** The same reads and upserts by plain JDBC: 500 events per transaction with a position, one statement each. */
    private static double raw(TestHub hub) throws Exception {
        ObjectMapper json = new ObjectMapper();
        long started = System.nanoTime();
        String tx = "0";
        long seq = 0;
        int done = 0;
        try (Connection connection = hub.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement read = connection.prepareStatement("""
                    SELECT CAST(tx_id AS text), seq, envelope FROM events
                     WHERE (tx_id, seq) > (CAST(? AS xid8), ?) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
                     ORDER BY tx_id, seq LIMIT 500""");
                    PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
                while (done < EVENTS) {
                    read.setString(1, tx);
                    read.setLong(2, seq);
                    try (ResultSet row = read.executeQuery()) {
                        while (row.next()) {
                            tx = row.getString(1);
                            seq = row.getLong(2);
                            JsonNode data = json.readTree(row.getString(3)).path("data");
                            upsert.setString(1, data.path("customer_id").asText());
                            upsert.setBigDecimal(2, data.path("total").decimalValue());
                            try (ResultSet changed = upsert.executeQuery()) {
                                changed.next();
                            }
                            done++;
                        }
                    }
                    connection.commit();
                }
            }
        }
        return EVENTS / ((System.nanoTime() - started) / 1e9);
    }
}
