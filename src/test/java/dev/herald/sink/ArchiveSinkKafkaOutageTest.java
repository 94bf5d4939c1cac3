package dev.herald.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.embedded.EmbeddedKafka;
import dev.herald.testing.CustomerWriters;
import dev.herald.testing.Engines;
import dev.herald.testing.Invariants.Summary;
import dev.herald.testing.Invariants;
import dev.herald.testing.TcpProxy;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The example sink through Kafka outages: Kafka behind a TCP proxy, blackholed and then cut while writers keep
 * creating and renaming customers (outbox mode), each fault held until the relay failed three times (longer than
 * the consumer's commit timeout). Afterwards every accepted event is in the archive, each aggregate in version
 * order, a repeat only under the same event id.
 */
class ArchiveSinkKafkaOutageTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @Test
    void theArchiveLosesNothingAndKeepsOrderThroughKafkaOutages() throws Exception {
        EmbeddedKafka kafka = new EmbeddedKafka(Files.createTempDirectory("herald-kafka-proxied"), 0).durable(false);
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", kafka.port())) {
            kafka.advertising(proxy.port()).start();
            ArchiveFiles archive = ArchiveFiles.fresh(Files.createTempDirectory("herald-archive"));
            Map<String, String> settings = archive.settings();
            settings.putAll(Map.of("herald.kafka.brokers", kafka.bootstrapServers(), "herald.publish.mode", "outbox",
                    "herald.publish.timeout", "2000", "herald.relay.interval", "200", "herald.relay.max-backoff", "1000",
                    "herald.shed.broker-down-after", "0"));
            try (TestHub hub = TestHub.start(settings);
                    CustomerWriters writers = new CustomerWriters(3, 2, Duration.ofMillis(50), () -> hub.http)) {
                await().atMost(PATIENCE).until(() -> archive.lines().size() >= 50);
                for (Runnable fault : new Runnable[] {proxy::blackhole, proxy::cut}) {
                    double failed = relayFailures(hub);
                    fault.run();
                    await().atMost(PATIENCE).until(() -> relayFailures(hub) >= failed + 3);
                    proxy.restore();
                    int archived = archive.lines().size();
                    await().atMost(PATIENCE).until(() -> archive.lines().size() >= archived + 50);
                }

                Engines engines = Engines.get();
                Summary summary = Invariants.of(hub.setting("herald.db.url"), engines.user(), engines.password(),
                        kafka.directBootstrapServers()).sink(archive.sink(false)).faults(proxy::faults)
                        .check(writers.stop());
                assertThat(summary.violations()).isEmpty();
                assertThat(summary.deliveriesRead().get("archive")).isGreaterThanOrEqualTo(summary.eventsChecked());
                assertThat(hub.count("dead_letters")).isZero();
            }
        } finally {
            kafka.stop();
        }
    }

    /** Failed relay publications (herald_publish_errors_total, path relay). */
    private static double relayFailures(TestHub hub) {
        return hub.metricSum("herald_publish_errors_total", "path=\"relay\"");
    }
}
