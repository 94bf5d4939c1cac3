package dev.herald.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.CustomerWriters;
import dev.herald.testing.Engines;
import dev.herald.testing.HubProcess;
import dev.herald.testing.Invariants.Summary;
import dev.herald.testing.Invariants;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The hub killed with SIGKILL under load, twice, then restarted on the same database: every accepted command
 * is kept and its event published, in order, under one event id; nothing is kept for a refused one.
 */
class CrashTest {

    @Test
    void sigkillUnderLoadTwiceLosesNothingAccepted() throws Exception {
        Engines engines = Engines.get();
        String db = engines.freshSchema();
        Path dir = Files.createTempDirectory("herald-crash-test");
        Map<String, String> settings = Map.of("herald.db.url", db, "herald.db.user", engines.user(),
                "herald.db.password", engines.password(), "herald.kafka.brokers", engines.kafkaBrokers(),
                "herald.instance.id", "crash-" + UUID.randomUUID(), "herald.data.dir", dir.resolve("data").toString(),
                "herald.relay.interval", "200", "herald.relay.lease", "5000", "herald.publish.timeout", "3000");
        int port = TestHub.freePort();
        Path log = dir.resolve("hub.log");
        AtomicReference<HubProcess> hub = new AtomicReference<>(HubProcess.start(settings, port, log));
        AtomicInteger kills = new AtomicInteger();
        try (CustomerWriters writers = new CustomerWriters(3, () -> hub.get().http)) {
            for (int crash = 1; crash <= 3; crash++) {
                int target = writers.accepted() + 30;
                await().atMost(Duration.ofSeconds(60)).until(() -> writers.accepted() >= target);
                if (crash <= 2) {
                    kills.incrementAndGet();
                    hub.get().kill();
                    hub.set(HubProcess.start(settings, port, log));
                }
            }
            Summary summary = Invariants.of(db, engines.user(), engines.password(), engines.kafkaBrokers())
                    .faults(kills::get).check(writers.stop());
            assertThat(summary.violations()).isEmpty();
            assertThat(summary.accepted()).isGreaterThanOrEqualTo(90);
        } finally {
            hub.get().close();
        }
    }
}
