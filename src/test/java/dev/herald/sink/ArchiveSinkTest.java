package dev.herald.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.CustomerWriters;
import dev.herald.testing.Engines;
import dev.herald.testing.Invariants.Summary;
import dev.herald.testing.Invariants;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The example sink (routes/sinks.camel.yaml) on a whole hub: with the archive on, every accepted event is one line
 * of its topic's file, exactly once, each aggregate's events in version order.
 */
class ArchiveSinkTest {

    @Test
    void everyEventIsArchivedOnceInOrderPerAggregate() throws Exception {
        ArchiveFiles archive = ArchiveFiles.fresh(Files.createTempDirectory("herald-archive"));
        try (TestHub hub = TestHub.start(archive.settings());
                CustomerWriters writers = new CustomerWriters(3, 3, () -> hub.http)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> writers.accepted() >= 60);
            Engines engines = Engines.get();
            Summary summary = Invariants.of(hub.setting("herald.db.url"), engines.user(), engines.password(),
                    hub.brokers()).sink(archive.sink(true)).check(writers.stop());
            assertThat(summary.violations()).isEmpty();
            assertThat(summary.deliveriesRead().get("archive")).isEqualTo(summary.eventsChecked());
            assertThat(archive.dir().resolve(archive.topic() + ".jsonl")).exists();
            assertThat(archive.dir().resolve(archive.topic() + ".jsonl")).content()
                    .startsWith("{\"specversion\":\"1.0\"");
        }
    }
}
