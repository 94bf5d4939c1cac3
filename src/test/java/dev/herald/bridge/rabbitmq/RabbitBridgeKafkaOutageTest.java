package dev.herald.bridge.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.embedded.EmbeddedKafka;
import dev.herald.testing.AmqpClient;
import dev.herald.testing.CustomerWriters;
import dev.herald.testing.Engines;
import dev.herald.testing.Invariants.Summary;
import dev.herald.testing.Invariants;
import dev.herald.testing.TcpProxy;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka behind a TCP proxy, blackholed and then cut while the bridge forwards a steady stream (outbox mode, so
 * commands keep coming). The bridge's offset commit times out mid-stream: its consumer must start again from
 * the committed offsets, never skip ahead (camel-kafka's default poll error strategy seeks past the failed
 * position: the soak lost 8 of 10,103 events that way). Every event reaches the queue, in order per aggregate.
 */
class RabbitBridgeKafkaOutageTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final BridgeFixture FIXTURE = new BridgeFixture();
    private static final String AUDIT = FIXTURE.queue("audit");

    @AfterAll
    static void clean() {
        FIXTURE.close();
    }

    @Test
    void theBridgeResumesFromCommittedOffsetsAfterKafkaOutagesAndLosesNothing() throws Exception {
        EmbeddedKafka kafka = new EmbeddedKafka(Files.createTempDirectory("herald-kafka-proxied"), 0).durable(false);
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", kafka.port())) {
            kafka.advertising(proxy.port()).start();
            Map<String, String> settings = FIXTURE.settings(true, """
                    consumers:
                      - { name: audit, queue: %s, bindings: [ "#" ] }
                    """.formatted(AUDIT));
            settings.putAll(Map.of("herald.kafka.brokers", kafka.bootstrapServers(), "herald.publish.mode", "outbox",
                    "herald.publish.timeout", "2000", "herald.relay.interval", "200", "herald.relay.max-backoff", "1000",
                    "herald.shed.broker-down-after", "0"));
            AmqpClient amqp = FIXTURE.amqp;
            try (TestHub hub = TestHub.start(settings);
                    CustomerWriters writers = new CustomerWriters(3, 2, Duration.ofMillis(50), () -> hub.http)) {
                await().atMost(PATIENCE).until(() -> FIXTURE.queueExists(AUDIT));
                amqp.consume(AUDIT);
                await().atMost(PATIENCE).until(() -> amqp.received(AUDIT).size() >= 50);
                for (Runnable fault : new Runnable[] {proxy::blackhole, proxy::cut}) {
                    double failed = relayFailures(hub);
                    fault.run();
                    // three failed relay attempts (2 s each): longer than the consumer's 5 s commit timeout
                    await().atMost(PATIENCE).until(() -> relayFailures(hub) >= failed + 3);
                    proxy.restore();
                    int delivered = amqp.received(AUDIT).size();
                    await().atMost(PATIENCE).until(() -> amqp.received(AUDIT).size() >= delivered + 50);
                }

                Engines engines = Engines.get();
                Summary summary = Invariants.of(hub.setting("herald.db.url"), engines.user(), engines.password(),
                        kafka.directBootstrapServers()).sink(FIXTURE.sink(AUDIT)).faults(proxy::faults).check(writers.stop());
                assertThat(summary.violations()).isEmpty();
                assertThat(summary.deliveriesRead()).containsKey(AUDIT);
            }
        } finally {
            kafka.stop();
        }
    }

    /** Failed relay publications (herald_publish_errors_total, path relay). */
    private static double relayFailures(TestHub hub) {
        return BridgeFixture.metricSum(hub, "herald_publish_errors_total", "path=\"relay\"");
    }
}
