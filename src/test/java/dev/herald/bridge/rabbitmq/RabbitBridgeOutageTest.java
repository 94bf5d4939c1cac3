package dev.herald.bridge.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.AmqpClient;
import dev.herald.testing.CustomerWriters;
import dev.herald.testing.Engines;
import dev.herald.testing.Invariants.Summary;
import dev.herald.testing.Invariants;
import dev.herald.testing.TcpProxy;
import dev.herald.testing.TestHub;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge's AMQP connection through a TCP proxy, blackholed and then cut while it forwards a steady
 * stream: it pauses and resumes, and every event reaches both consumer queues (CloudEvents and legacy),
 * repeats only under the same message_id, each aggregate in version order.
 */
class RabbitBridgeOutageTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final BridgeFixture FIXTURE = new BridgeFixture();
    private static final String AUDIT = FIXTURE.queue("audit");
    private static final String CRM = FIXTURE.queue("crm");
    private static final String DECLARATIONS = BridgeFixture.auditAndCrm(AUDIT, CRM);

    @AfterAll
    static void clean() {
        FIXTURE.close();
    }

    @Test
    void theBridgePausesThroughABlackholeAndACutAndDeliversEveryEventInOrder() throws Exception {
        String direct = Engines.get().amqp().url();
        URI broker = URI.create(direct);
        try (TcpProxy proxy = new TcpProxy(broker.getHost(), broker.getPort())) {
            Map<String, String> settings = FIXTURE.settings(true, DECLARATIONS);
            settings.put("herald.rabbitmq.url", direct.replace(broker.getHost() + ":" + broker.getPort(),
                    "127.0.0.1:" + proxy.port()));
            settings.put("herald.rabbitmq.confirm-timeout", "1000");
            settings.put("herald.rabbitmq.max-backoff", "1000");
            AmqpClient amqp = FIXTURE.amqp;
            try (TestHub hub = TestHub.start(settings); CustomerWriters writers = new CustomerWriters(3, 2, () -> hub.http)) {
                await().atMost(PATIENCE).until(() -> FIXTURE.queueExists(AUDIT) && FIXTURE.queueExists(CRM));
                amqp.consume(AUDIT);
                amqp.consume(CRM);
                await().atMost(PATIENCE).until(() -> amqp.received(CRM).size() >= 20);
                for (Runnable fault : new Runnable[] {proxy::blackhole, proxy::cut}) {
                    fault.run();
                    await().atMost(PATIENCE).until(() -> BridgeFixture.metricSum(hub, "herald_rabbitmq_paused", "") > 0);
                    proxy.restore();
                    int delivered = amqp.received(CRM).size();
                    await().atMost(PATIENCE).until(() -> amqp.received(CRM).size() >= delivered + 20);
                }

                Engines engines = Engines.get();
                Summary summary = Invariants.of(hub.setting("herald.db.url"), engines.user(), engines.password(),
                        hub.brokers()).sink(FIXTURE.sink(AUDIT)).sink(FIXTURE.sink(CRM)).faults(proxy::faults)
                        .check(writers.stop());
                assertThat(summary.violations()).isEmpty();
                assertThat(summary.deliveriesRead()).containsKeys(AUDIT, CRM);
            }
        }
    }
}
