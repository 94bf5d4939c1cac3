package dev.herald.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import dev.herald.trace.Traces;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/**
 * routes/sinks.camel.yaml at route level: the example sink's steps behind the Kafka consumer, and the shared
 * {@code sinks} error handling (retries, then the dead-letter step with the record as it came from Kafka) and span. Kafka
 * and the file system are replaced; the whole-hub ArchiveSink tests prove the behaviour on real engines.
 */
class SinksRouteTest extends CamelTestSupport {

    private static final String RECORD = "{\"id\":\"e-1\",\"type\":\"customer.created\"}";
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    private final List<Exchange> deadLettered = new CopyOnWriteArrayList<>();
    private final AtomicInteger retries = new AtomicInteger();
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext camel = super.createCamelContext();
        var properties = camel.getPropertiesComponent();
        properties.addInitialProperty("herald.sinks.max-redeliveries", "2");
        properties.addInitialProperty("herald.sinks.initial-backoff", "1");
        properties.addInitialProperty("herald.sinks.max-backoff", "5");
        properties.addInitialProperty("herald.sinks.archive.enabled", "true");
        properties.addInitialProperty("herald.sinks.archive.dir", "target/sinks-route-test");
        properties.addInitialProperty("herald.sinks.archive.group", "test");
        properties.addInitialProperty("herald.topics.customers", "customers");
        properties.addInitialProperty("herald.topics.orders", "orders");
        properties.addInitialProperty("herald.kafka.brokers", "127.0.0.1:1");
        camel.getRegistry().bind("sinkRetrying", (Processor) exchange -> retries.incrementAndGet());
        camel.getRegistry().bind("sinkDeadLetter", (Processor) deadLettered::add);
        Traces.exportForTests(spans);
        try {
            camel.getRegistry().bind("sinkSpan", new SinkSpan(Traces.of("", "sinks-route-test")));
        } finally {
            Traces.exportForTests(null);
        }
        PluginHelper.getRoutesLoader(camel).loadRoutes(
                ResourceHelper.resolveResource(camel, "file:routes/sinks.camel.yaml"));
        return camel;
    }

    private void sinkFailing(boolean failing) throws Exception {
        AdviceWith.adviceWith(context, "archive-sink", route -> route.replaceFromWith("direct:record"));
        AdviceWith.adviceWith(context, "archive", route -> route.interceptSendToEndpoint("file:*")
                .skipSendToOriginalEndpoint().process(exchange -> {
                    exchange.getMessage().setBody("the sink made this of it");
                    if (failing) {
                        throw new IllegalStateException("disk full");
                    }
                }).to("mock:archived"));
        context.start();
    }

    @Test
    void anEventTheSinkTakesIsNotRetriedNorDeadLettered() throws Exception {
        sinkFailing(false);
        getMockEndpoint("mock:archived").expectedMessageCount(1);
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("archive-sink").whenDone(1).create();

        template.sendBody("direct:record", RECORD.getBytes(StandardCharsets.UTF_8));

        assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
        getMockEndpoint("mock:archived").assertIsSatisfied();
        assertThat(retries.get()).isZero();
        assertThat(deadLettered).isEmpty();
    }

    @Test
    void eachEventIsASpanContinuingItsRecordsTraceWhoseContextTheSinkStepsSee() throws Exception {
        sinkFailing(false);
        getMockEndpoint("mock:archived").expectedMessageCount(1);
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("archive-sink").whenDone(1).create();

        template.sendBodyAndHeader("direct:record", RECORD.getBytes(StandardCharsets.UTF_8), "traceparent",
                "00-" + TRACE + "-00f067aa0ba902b7-01");

        assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
        getMockEndpoint("mock:archived").assertIsSatisfied();
        assertThat(spans.getFinishedSpanItems()).singleElement().satisfies(span -> {
            assertThat(span.getName()).isEqualTo("sink archive-sink deliver");
            assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(span.getTraceId()).isEqualTo(TRACE);
            assertThat(span.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
            assertThat(getMockEndpoint("mock:archived").getExchanges().get(0).getMessage()
                    .getHeader("traceparent", String.class)).isEqualTo("00-" + TRACE + "-" + span.getSpanId() + "-01");
        });
    }

    @Test
    void aFailingSinkIsRetriedThenDeadLetteredWithTheRecordAsItCame() throws Exception {
        sinkFailing(true);
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("archive-sink").whenDone(1).create();

        Exchange sent = template.send("direct:record",
                exchange -> exchange.getIn().setBody(RECORD.getBytes(StandardCharsets.UTF_8)));

        assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(retries.get()).as("herald.sinks.max-redeliveries").isEqualTo(2);
        assertThat(deadLettered).hasSize(1);
        assertThat(deadLettered.get(0).getMessage().getBody(String.class)).as("useOriginalMessage").isEqualTo(RECORD);
        assertThat(deadLettered.get(0).getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class))
                .hasMessageContaining("disk full");
        assertThat(sent.getException()).as("handled: the offset is committed").isNull();
    }
}
