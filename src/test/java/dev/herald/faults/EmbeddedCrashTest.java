package dev.herald.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.CustomerWriters;
import dev.herald.testing.HubProcess;
import dev.herald.testing.Invariants.Summary;
import dev.herald.testing.Invariants;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The default hub, on its embedded engines in their default (durable) mode, killed with SIGKILL under load three
 * times and started again on the same data directory each time: the PostgreSQL the killed hub left running is
 * stopped and recovers, the hub comes back, and every accepted command is kept and its event published, in order,
 * under one event id; nothing is kept for a refused one.
 */
class EmbeddedCrashTest {

    @Test
    void theDefaultHubComesBackAfterEachSigkillAndLosesNothingAccepted() throws Exception {
        Path dir = Files.createTempDirectory("herald-embedded-crash");
        int dbPort = TestHub.freePort();
        int kafkaPort = TestHub.freePort();
        Map<String, String> settings = Map.of("herald.data.dir", dir.resolve("data").toString(),
                "herald.db.embedded-port", String.valueOf(dbPort),
                "herald.kafka.embedded-port", String.valueOf(kafkaPort),
                "herald.relay.interval", "200", "herald.relay.lease", "5000");
        int port = TestHub.freePort();
        Path log = dir.resolve("hub.log");
        AtomicReference<HubProcess> hub = new AtomicReference<>(HubProcess.start(settings, port, log));
        AtomicInteger kills = new AtomicInteger();
        try (CustomerWriters writers = new CustomerWriters(3, () -> hub.get().http)) {
            for (int crash = 1; crash <= 4; crash++) {
                int target = writers.accepted() + 20;
                await().atMost(Duration.ofSeconds(90)).until(() -> writers.accepted() >= target);
                if (crash <= 3) {
                    kills.incrementAndGet();
                    hub.get().kill();
                    hub.set(HubProcess.start(settings, port, log));
                }
            }
            Summary summary = Invariants.of("jdbc:postgresql://127.0.0.1:" + dbPort + "/postgres", "postgres", "",
                    "127.0.0.1:" + kafkaPort).faults(kills::get).check(writers.stop());
            assertThat(summary.violations()).isEmpty();
            assertThat(summary.accepted()).isGreaterThanOrEqualTo(80);
            try (Connection db = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + dbPort + "/postgres",
                    "postgres", ""); Statement statement = db.createStatement()) {
                assertThat(setting(statement, "fsync")).isEqualTo("on");
                assertThat(setting(statement, "synchronous_commit")).isEqualTo("on");
            }
        } finally {
            hub.get().close();
        }
        String hubLog = Files.readString(log);
        assertThat(hubLog.split("left running by an earlier hub", -1)).as("each restart found the killed hub's "
                + "PostgreSQL").hasSize(4);
        assertThat(hubLog).contains("durable: each commit synced to disk");
    }

    private static String setting(Statement statement, String name) throws SQLException {
        try (ResultSet row = statement.executeQuery("SHOW " + name)) {
            row.next();
            return row.getString(1);
        }
    }
}
