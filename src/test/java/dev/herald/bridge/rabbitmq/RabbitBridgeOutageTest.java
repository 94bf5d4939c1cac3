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
import dev.herald.trace.Traces;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge's AMQP connection through a TCP proxy, blackholed and then cut while it forwards a steady
 * stream: it pauses and resumes, and every event reaches both consumer queues (CloudEvents and legacy),
 * repeats only under the same message_id, each aggregate in version order. A message the broker never confirmed
 * before the hub stopped: its span is ended as cancelled and exported by the stop.
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

    @Test
    void aMessageStillUnconfirmedAtTheStopEndsItsSpanAsCancelledAndTheStopExportsIt() throws Exception {
        String direct = Engines.get().amqp().url();
        URI broker = URI.create(direct);
        KeptSpans spans = new KeptSpans();
        String trace = "5cf92f3577b34da6a3ce929d0e0e4737";
        String before = "5cf92f3577b34da6a3ce929d0e0e4738";
        // names of its own: the event left unconfirmed must not reach the other test's hub
        try (BridgeFixture fixture = new BridgeFixture();
                TcpProxy proxy = new TcpProxy(broker.getHost(), broker.getPort())) {
            Map<String, String> settings = fixture.settings(true,
                    BridgeFixture.auditAndCrm(fixture.queue("audit"), fixture.queue("crm")));
            settings.put("herald.rabbitmq.url", direct.replace(broker.getHost() + ":" + broker.getPort(),
                    "127.0.0.1:" + proxy.port()));
            settings.put("herald.rabbitmq.confirm-timeout", "1000");
            settings.put("herald.rabbitmq.max-backoff", "1000");
            Traces.exportForTests(spans);
            TestHub hub;
            try {
                hub = TestHub.start(settings);
            } finally {
                Traces.exportForTests(null);
            }
            try (hub) {
                BridgeFixture.createCustomer(hub, "Before Cut", "traceparent", "00-" + before + "-00f067aa0ba902b7-01");
                // its messages (CloudEvents and legacy) confirmed by the broker: their spans ended, not fallen back
                await().atMost(PATIENCE).until(() -> spans.of(before).stream().filter(s -> s.getName()
                        .startsWith("rabbitmq publish ") && s.getEvents().isEmpty()).count() == 2);
                proxy.cut();
                BridgeFixture.createCustomer(hub, "Stranded", "traceparent", "00-" + trace + "-00f067aa0ba902b7-01");
                // the bridge retries its message (the partition paused): the message's span is open
                await().atMost(PATIENCE).until(() -> BridgeFixture.metricSum(hub, "herald_rabbitmq_paused", "") > 0
                        && spans.of(trace).stream().anyMatch(s -> s.getName().equals("customer.created publish")));
                assertThat(spans.of(trace)).noneMatch(RabbitBridgeOutageTest::cancelled);
            }
            // the stop ended it, as cancelled, and exported it (with any span of a batch in flight at the stop: the
            // Kafka consumer may poll the record once more while it stops)
            List<SpanData> cancelled = spans.of(trace).stream().filter(RabbitBridgeOutageTest::cancelled).toList();
            assertThat(cancelled).isNotEmpty().allSatisfy(span -> {
                assertThat(span.getName()).startsWith("rabbitmq publish ");
                assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
                assertThat(span.getStatus().getDescription()).isEqualTo(Traces.CANCELLED);
            });
            // the message retried until the stop, each failed try on its span
            assertThat(cancelled).anySatisfy(span -> {
                assertThat(span.getName()).isEqualTo("rabbitmq publish " + fixture.exchange);
                assertThat(span.getEvents()).anyMatch(e -> e.getName().equals("exception"));
            });
            assertThat(spans.shutdowns.get()).isEqualTo(1);
        }
    }

    private static boolean cancelled(SpanData span) {
        return span.getEvents().stream().anyMatch(e -> e.getName().equals("cancelled"));
    }

    /** The SDK's in-memory exporter, still readable after the hub's stop shut it down (its own shutdown empties it). */
    private static final class KeptSpans implements SpanExporter {

        private final InMemorySpanExporter spans = InMemorySpanExporter.create();
        private final AtomicInteger shutdowns = new AtomicInteger();

        List<SpanData> of(String trace) {
            return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(trace)).toList();
        }

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            return spans.export(batch);
        }

        @Override
        public CompletableResultCode flush() {
            return spans.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            shutdowns.incrementAndGet();
            return CompletableResultCode.ofSuccess();
        }
    }
}
