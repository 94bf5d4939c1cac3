package dev.herald.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.bridge.rabbitmq.BridgeFixture;
import dev.herald.bridge.webhook.WebhookReceiver.Received;
import dev.herald.testing.AmqpClient.Delivery;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import dev.herald.trace.Traces;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * W3C trace context end to end, with the SDK's in-memory span exporter in the hub (no mock of Herald): a command
 * sent with a traceparent, its Kafka record (header and envelope attribute), the webhook request, the RabbitMQ
 * message (the real RabbitMQ with HERALD_TEST_RABBITMQ_URL, else the embedded broker), and the spans the hub
 * recorded, one trace with parent links; the same through the outbox relay; the spans of the event's
 * consumers (projection, sink, webhook fan-out and delivery); trace_id in problems.
 */
class TraceContextTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE + "-" + CALLER_SPAN + "-01";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();

    @BeforeEach
    void exportInMemory() {
        Traces.exportForTests(spans);
    }

    @AfterEach
    void exportAsSet() {
        Traces.exportForTests(null);
    }

    /**
     * The whole path on real engines: the request's server span, the command's publish span, and two hops that
     * continue it: the webhook delivery (the receiver gets its context) and the RabbitMQ bridge's publish (the AMQP
     * message carries its context), all ONE trace with the parent links between them.
     */
    @Test
    void oneTraceFromTheRequestToTheWebhookReceiverAndTheRabbitMqMessage() throws Exception {
        BridgeFixture rabbit = new BridgeFixture();
        String queue = rabbit.queue("traced");
        Map<String, String> settings = WebhookHubs.settings(rabbit.settings(true,
                "consumers:\n  - { name: traced, queue: " + queue + ", bindings: [ \"customer.*\" ] }\n"));
        try (rabbit; TestHub hub = TestHub.start(settings); WebhookReceiver receiver = new WebhookReceiver();
                TopicReader topic = new TopicReader(hub.brokers(), settings.get("herald.topics.customers"))) {
            String endpoint = WebhookHubs.endpoint(hub, "{\"url\":\"" + receiver.url()
                    + "\",\"event_types\":[\"customer.*\"]}").get("id").asText();
            Response created = tracedCustomer(hub, 201);
            String customer = created.json().get("aggregate_id").asText();

            ConsumerRecord<String, byte[]> record = firstRecord(topic, customer);
            String header = traceparent(record);
            assertThat(Traces.traceId(header)).isEqualTo(TRACE);
            assertThat(TopicReader.cloudEvent(record).getExtension("traceparent")).isEqualTo(header);

            Received delivered = await().atMost(PATIENCE).until(() -> receiver.forAggregate(customer),
                    r -> !r.isEmpty()).get(0);
            String webhook = delivered.header("traceparent");
            assertThat(Traces.traceId(webhook)).isEqualTo(TRACE);

            // GET /api/commands/{id} shows the trace
            JsonNode command = hub.http.get("/api/commands/" + created.json().get("command_id").asText()).json();
            assertThat(command.get("trace_id").asText()).isEqualTo(TRACE);

            // the bridge declares its queue on its first connection, at this first event; the message waits in it
            await().atMost(PATIENCE).until(() -> rabbit.queueExists(queue));
            rabbit.amqp().consume(queue);
            Delivery message = await().atMost(PATIENCE).until(() -> rabbit.amqp().received(queue).stream()
                    .filter(d -> customer.equals(d.header("aggregate_id"))).toList(), d -> !d.isEmpty()).get(0);
            String amqp = String.valueOf(message.header("traceparent"));
            assertThat(Traces.traceId(amqp)).isEqualTo(TRACE);

            String bridge = "rabbitmq publish " + rabbit.exchange();
            List<SpanData> trace = await().atMost(PATIENCE).until(() -> inTrace(TRACE),
                    s -> s.stream().anyMatch(span -> span.getKind() == SpanKind.CLIENT)
                            && s.stream().anyMatch(span -> span.getName().equals(bridge)));
            SpanData server = only(trace, SpanKind.SERVER, "POST /api/customers");
            SpanData publish = only(trace, SpanKind.PRODUCER, "customer.created publish");
            SpanData delivery = only(trace, SpanKind.CLIENT, "webhook " + endpoint + " deliver");
            SpanData bridged = only(trace, SpanKind.PRODUCER, bridge);
            assertThat(server.getParentSpanId()).isEqualTo(CALLER_SPAN);
            assertThat(publish.getParentSpanId()).isEqualTo(server.getSpanId());
            assertThat(header).isEqualTo("00-" + TRACE + "-" + publish.getSpanId() + "-01");
            assertThat(delivery.getParentSpanId()).isEqualTo(publish.getSpanId());
            assertThat(webhook).isEqualTo("00-" + TRACE + "-" + delivery.getSpanId() + "-01");
            assertThat(bridged.getParentSpanId()).isEqualTo(publish.getSpanId());
            assertThat(amqp).isEqualTo("00-" + TRACE + "-" + bridged.getSpanId() + "-01");
            assertThat(bridged.getAttributes().get(Traces.EVENT_ID)).isEqualTo(message.messageId());
            assertThat(server.getAttributes().asMap().toString()).contains("http.response.status_code=201");
            // the lane's batch held this command alone (the only one sent to this hub): its database and Kafka
            // transactions are a child of the publish span, in the request's trace
            assertThat(trace).filteredOn(s -> s.getName().endsWith(" batch")).singleElement().satisfies(batch -> {
                assertThat(batch.getParentSpanId()).isEqualTo(publish.getSpanId());
                assertThat(batch.getAttributes().get(Traces.BATCH_SIZE)).isEqualTo(1L);
            });
        }
    }

    /**
     * The consumers of an event continue its trace, each a span whose parent is the event's publish span: the
     * projection applying it (from events.traceparent), the sink delivering it and the webhook fan-out (from the
     * Kafka record's header), the webhook delivery (from the envelope) whose request carries its own context.
     */
    @Test
    void theConsumersOfAnEventContinueItsTrace() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path archive = Files.createTempDirectory("herald-trace-archive");
        Map<String, String> settings = WebhookHubs.settings(Map.of("herald.sinks.archive.enabled", "true",
                "herald.sinks.archive.dir", archive.toString(), "herald.sinks.archive.group", "archive-" + run));
        try (TestHub hub = TestHub.start(settings); WebhookReceiver receiver = new WebhookReceiver()) {
            String endpoint = WebhookHubs.endpoint(hub, "{\"url\":\"" + receiver.url()
                    + "\",\"event_types\":[\"order.created\"]}").get("id").asText();
            String customer = WebhookHubs.customer(hub, "Ada Buyer");
            Response placed = hub.http.post("/api/orders", "{\"customer_id\":\"" + customer + "\",\"items\":"
                    + "[{\"product_id\":\"p-1\",\"quantity\":2,\"unit_price\":2.50}]}", "traceparent", TRACEPARENT);
            assertThat(placed.status()).as(placed.toString()).isEqualTo(201);
            String order = placed.json().get("aggregate_id").asText();
            Received request = await().atMost(PATIENCE).until(() -> receiver.forAggregate(order), r -> !r.isEmpty())
                    .get(0);
            String eventId = request.json().get("id").asText();

            String projection = "projection customer-order-totals apply";
            String sink = "sink archive-sink deliver";
            String webhook = "webhook " + endpoint + " deliver";
            List<SpanData> trace = await().atMost(PATIENCE).until(() -> inTrace(TRACE), s -> List.of(projection,
                    sink, webhook).stream().allMatch(name -> s.stream().anyMatch(span -> span.getName().equals(name))));
            SpanData publish = only(trace, SpanKind.PRODUCER, "order.created publish");
            SpanData applied = only(trace, SpanKind.CONSUMER, projection);
            SpanData archived = only(trace, SpanKind.CONSUMER, sink);
            SpanData delivered = only(trace, SpanKind.CLIENT, webhook);
            for (SpanData consumer : List.of(applied, archived, delivered)) {
                assertThat(consumer.getParentSpanId()).as(consumer.getName()).isEqualTo(publish.getSpanId());
                assertThat(consumer.getStatus().getStatusCode()).as(consumer.getName()).isEqualTo(StatusCode.UNSET);
            }
            assertThat(applied.getAttributes().get(Traces.EVENT_ID)).isEqualTo(eventId);
            assertThat(delivered.getAttributes().get(Traces.EVENT_ID)).isEqualTo(eventId);

            // the receiver continues the delivery's span
            assertThat(request.header("traceparent")).isEqualTo("00-" + TRACE + "-" + delivered.getSpanId() + "-01");
            // the fan-out served a poll of events, this one among them: of several, a root linked to the event's
            // publish span; alone in its poll, a child of it (which one depends on Kafka's polls)
            assertThat(spans.getFinishedSpanItems()).filteredOn(s -> s.getName().equals("webhooks fan-out"))
                    .anySatisfy(fanOut -> {
                        if (fanOut.getParentSpanContext().isValid()) {
                            assertThat(fanOut.getParentSpanId()).isEqualTo(publish.getSpanId());
                            assertThat(fanOut.getAttributes().get(Traces.BATCH_SIZE)).isEqualTo(1L);
                        } else {
                            assertThat(fanOut.getLinks()).anySatisfy(link ->
                                    assertThat(link.getSpanContext().getSpanId()).isEqualTo(publish.getSpanId()));
                        }
                    });
        }
    }

    @Test
    void aProblemNamesItsTraceAndARequestWithoutOneStartsANewTrace() {
        try (TestHub hub = WebhookHubs.start(Map.of())) {
            Response refused = hub.http.post("/api/customers", "{\"full_name\":7}", "traceparent", TRACEPARENT);
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.json().get("trace_id").asText()).isEqualTo(TRACE);

            Response invalid = hub.http.post("/api/customers", "{\"full_name\":7}", "traceparent", "00-nonsense");
            String fresh = invalid.json().get("trace_id").asText();
            assertThat(fresh).matches("[0-9a-f]{32}").isNotEqualTo(TRACE);
            await().atMost(PATIENCE).until(() -> inTrace(fresh), s -> !s.isEmpty());
            assertThat(inTrace(fresh)).singleElement().satisfies(span -> {
                assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
                assertThat(span.getParentSpanContext().isValid()).isFalse();
            });
        }
    }

    @Test
    void theRelayContinuesTheStoredContextLater() throws Exception {
        Map<String, String> settings = WebhookHubs.settings(Map.of("herald.publish.mode", "outbox",
                "herald.relay.interval", "100"));
        try (TestHub hub = TestHub.start(settings);
                TopicReader topic = new TopicReader(hub.brokers(), settings.get("herald.topics.customers"))) {
            String customer = tracedCustomer(hub, 202).json().get("aggregate_id").asText();
            ConsumerRecord<String, byte[]> record = firstRecord(topic, customer);
            String header = traceparent(record);
            Object stored = TopicReader.cloudEvent(record).getExtension("traceparent");

            List<SpanData> trace = await().atMost(PATIENCE).until(() -> inTrace(TRACE), s -> s.size() >= 3);
            SpanData server = only(trace, SpanKind.SERVER, "POST /api/customers");
            List<SpanData> publishes = trace.stream().filter(s -> s.getKind() == SpanKind.PRODUCER).toList();
            assertThat(publishes).hasSize(2);
            SpanData accepted = publishes.stream().filter(s -> server.getSpanId().equals(s.getParentSpanId()))
                    .findFirst().orElseThrow();
            SpanData relayed = publishes.stream().filter(s -> s != accepted).findFirst().orElseThrow();
            // the envelope keeps the context it was stored with; the relay's span is its child, and the record's
            assertThat(stored).isEqualTo("00-" + TRACE + "-" + accepted.getSpanId() + "-01");
            assertThat(relayed.getParentSpanId()).isEqualTo(accepted.getSpanId());
            assertThat(header).isEqualTo("00-" + TRACE + "-" + relayed.getSpanId() + "-01");
            assertThat(relayed.getStartEpochNanos()).isGreaterThanOrEqualTo(accepted.getEndEpochNanos());
        }
    }

    /** POST /api/customers with the caller's traceparent; answers the answer, its status checked. */
    private static Response tracedCustomer(TestHub hub, int status) {
        Response created = hub.http.post("/api/customers",
                "{\"full_name\":\"Ada Traced\",\"email\":\"ada@example.com\"}", "traceparent", TRACEPARENT);
        assertThat(created.status()).as(created.toString()).isEqualTo(status);
        return created;
    }

    private static ConsumerRecord<String, byte[]> firstRecord(TopicReader topic, String key) {
        return await().atMost(PATIENCE).until(() -> topic.recordsFor(key), r -> !r.isEmpty()).get(0);
    }

    private static String traceparent(ConsumerRecord<String, byte[]> record) {
        return new String(record.headers().lastHeader("traceparent").value(), StandardCharsets.US_ASCII);
    }

    private List<SpanData> inTrace(String traceId) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
    }

    private static SpanData only(List<SpanData> trace, SpanKind kind, String name) {
        List<SpanData> found = trace.stream().filter(s -> s.getKind() == kind && s.getName().equals(name)).toList();
        assertThat(found).as(kind + " " + name + " in " + trace).hasSize(1);
        return found.get(0);
    }
}
