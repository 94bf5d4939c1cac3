package dev.herald.faults;

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
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka behind a TCP proxy (the broker advertises the proxy, so every client byte crosses it), blackholed
 * and cut mid-stream under concurrent writers. Sync mode: refused commands (503, answered, not hanging)
 * keep nothing, and the hub resumes. Outbox mode: commands keep being accepted, the relay drains after.
 */
class KafkaOutageTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static EmbeddedKafka kafka;
    private static TcpProxy proxy;

    @BeforeAll
    static void startKafkaBehindAProxy() throws Exception {
        kafka = new EmbeddedKafka(Files.createTempDirectory("herald-kafka-proxied"), 0).durable(false);
        proxy = new TcpProxy("127.0.0.1", kafka.port());
        kafka.advertising(proxy.port()).start();
    }

    @AfterAll
    static void stop() {
        kafka.stop();
        proxy.close();
    }

    @Test
    void syncCommandsAreRefusedWhileKafkaIsBlackholedOrCutAndNothingOfThemIsKept() throws Exception {
        int faultsBefore = proxy.faults();
        try (TestHub hub = hub("sync"); CustomerWriters writers = new CustomerWriters(4, 2, () -> hub.http)) {
            await().atMost(PATIENCE).until(() -> writers.accepted() >= 10);
            for (Runnable fault : new Runnable[] {proxy::blackhole, proxy::cut}) {
                int refused = writers.refused();
                fault.run();
                // refused means answered (503): a writer left hanging would count as neither
                await().atMost(PATIENCE).until(() -> writers.refused() >= refused + 3);
                proxy.restore();
                int accepted = writers.accepted();
                await().atMost(PATIENCE).until(() -> writers.accepted() >= accepted + 10);
            }

            Summary summary = checker(hub, faultsBefore).check(writers.stop());
            assertThat(summary.violations()).isEmpty();
            assertThat(summary.refused()).isPositive();
        }
    }

    @Test
    void outboxCommandsAreAcceptedThroughACutAndTheRelayDrainsAfter() throws Exception {
        int faultsBefore = proxy.faults();
        try (TestHub hub = hub("outbox"); CustomerWriters writers = new CustomerWriters(4, 2, () -> hub.http)) {
            await().atMost(PATIENCE).until(() -> writers.accepted() >= 20);
            proxy.cut();
            int accepted = writers.accepted();
            await().atMost(PATIENCE).until(() -> writers.accepted() >= accepted + 40);
            proxy.restore();

            Summary summary = checker(hub, faultsBefore).check(writers.stop());
            assertThat(summary.violations()).isEmpty();
            assertThat(summary.refused()).isZero();
        }
    }

    private static TestHub hub(String mode) {
        Map<String, String> settings = new HashMap<>(Map.of("herald.kafka.brokers", kafka.bootstrapServers(),
                "herald.publish.mode", mode, "herald.publish.timeout", "2000", "herald.relay.interval", "200",
                "herald.relay.max-backoff", "1000",
                // a short outage must not shed outbox commands: only the database decides here
                "herald.shed.broker-down-after", "0"));
        return TestHub.start(settings);
    }

    /** The checker reads Kafka past the proxy, so it sees what the broker holds whatever the proxy does. */
    private static Invariants checker(TestHub hub, int faultsBefore) {
        Engines engines = Engines.get();
        return Invariants.of(hub.setting("herald.db.url"), engines.user(), engines.password(),
                kafka.directBootstrapServers()).faults(() -> proxy.faults() - faultsBefore);
    }
}
