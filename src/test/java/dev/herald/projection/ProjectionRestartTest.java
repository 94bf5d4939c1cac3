package dev.herald.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.Engines;
import dev.herald.testing.HubProcess;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A hub stopped mid-stream, or killed with SIGKILL mid-stream, and another started on the same database: it goes on
 * from the recorded position, and the totals equal the aggregate over the event store (no event lost, none counted
 * twice).
 */
class ProjectionRestartTest {

    private static final int EVENTS = 1500;

    @Test
    void aHubStoppedMidStreamLeavesPositionAndTotalsExact() throws Exception {
        Map<String, String> settings = backlog();
        try (TestHub first = TestHub.start(settings)) {
            awaitApplied(settings, 50);
        }
        assertThat(applied(settings)).as("stopped mid-stream").isLessThan(EVENTS);
        assertExactAfterRestart(settings);
    }

    @Test
    void aHubKilledMidStreamLeavesPositionAndTotalsExact() throws Exception {
        Map<String, String> settings = backlog();
        Path dir = Files.createTempDirectory("herald-projection-kill");
        Map<String, String> killedSettings = new HashMap<>(settings);
        killedSettings.put("herald.instance.id", "projection-kill-" + UUID.randomUUID());
        killedSettings.put("herald.data.dir", dir.resolve("data").toString());
        HubProcess killed = HubProcess.start(killedSettings, TestHub.freePort(), dir.resolve("hub.log"));
        try {
            awaitApplied(settings, 50);
        } finally {
            killed.kill();
        }
        assertThat(applied(settings)).as("killed mid-stream").isLessThan(EVENTS);
        assertExactAfterRestart(settings);
    }

    /**
     * A fresh schema holding {@code EVENTS} order events nobody projected yet, and the settings of a hub on it that
     * applies one event per transaction, so the stream is long enough to be cut in the middle.
     */
    private static Map<String, String> backlog() throws SQLException {
        Engines engines = Engines.get();
        Map<String, String> settings = new HashMap<>(Map.of("herald.db.url", engines.freshSchema(),
                "herald.db.user", engines.user(), "herald.db.password", engines.password(),
                "herald.kafka.brokers", engines.kafkaBrokers(), "herald.projections.batch-size", "1",
                "herald.relay.enabled", "false"));
        // the key of the TestHubs on this schema, for the hub started as a process (a database records its key)
        settings.put("herald.webhooks.secret-key", TestHub.WEBHOOK_SECRET_KEY);
        // the hub's migrations make the tables: one start and stop before the events are written
        try (TestHub migrate = TestHub.start(Map.of("herald.db.url", settings.get("herald.db.url"),
                "herald.projections.interval", "60000"));
                Connection connection = migrate.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement stop = connection.prepareStatement(
                    "UPDATE projections SET status = 'failed' WHERE name = 'customer-order-totals'")) {
                stop.executeUpdate(); // it must not start on them here
            }
            OrderTotals.insertCreated(connection, EVENTS);
            connection.commit();
        }
        try (Connection connection = connect(settings); PreparedStatement live = connection.prepareStatement(
                "UPDATE projections SET status = 'live' WHERE name = 'customer-order-totals'")) {
            live.executeUpdate();
        }
        return settings;
    }

    private static void assertExactAfterRestart(Map<String, String> settings) {
        Map<String, String> next = new HashMap<>(settings);
        next.put("herald.projections.batch-size", "500");
        try (TestHub last = TestHub.start(next)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> OrderTotals.exact(last));
            assertThat(last.http.get(OrderTotals.PROJECTION).json().get("applied").asLong()).isEqualTo(EVENTS);
            assertThat(last.queryLong("SELECT sum(orders_placed) FROM customer_order_totals")).isEqualTo(EVENTS);
        }
    }

    private static void awaitApplied(Map<String, String> settings, long atLeast) {
        await().atMost(Duration.ofSeconds(30)).until(() -> applied(settings) >= atLeast);
    }

    /** The projection's applied count, read beside the hub (a killed hub answers nothing). */
    private static long applied(Map<String, String> settings) throws SQLException {
        try (Connection connection = connect(settings); PreparedStatement select = connection.prepareStatement(
                "SELECT applied FROM projections WHERE name = 'customer-order-totals'");
                ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private static Connection connect(Map<String, String> settings) throws SQLException {
        return DriverManager.getConnection(settings.get("herald.db.url"), settings.get("herald.db.user"),
                settings.get("herald.db.password"));
    }
}
