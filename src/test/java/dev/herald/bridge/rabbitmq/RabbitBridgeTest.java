package dev.herald.bridge.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.testing.AmqpClient.Delivery;
import dev.herald.testing.AmqpClient;
import dev.herald.testing.Engines;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.LogLines;
import dev.herald.testing.TestHub;
import dev.herald.trace.Traces;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge end to end: HTTP commands -> PostgreSQL -> Kafka -> bridge -> AMQP broker (the real RabbitMQ with
 * HERALD_TEST_RABBITMQ_URL, else the embedded one) -> plain amqp-client consumers. Queue, exchange and topic
 * names are unique per run and deleted at the end, so reruns on a shared RabbitMQ start clean.
 */
class RabbitBridgeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BridgeFixture FIXTURE = new BridgeFixture();
    private static final String EXCHANGE = FIXTURE.exchange;
    private static final String CRM = FIXTURE.queue("crm");
    private static final String AUDIT = FIXTURE.queue("audit");
    private static final String CANCELLATIONS = FIXTURE.queue("cancellations");

    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static TestHub hub;
    private static AmqpClient amqp = FIXTURE.amqp;

    @BeforeAll
    static void start() throws IOException {
        Map<String, String> settings = FIXTURE.settings(true, """
                consumers:
                  - name: crm
                    queue: %s
                    format: legacy
                    bindings: [ "customer.*" ]
                  - name: audit
                    queue: %s
                    format: cloudevents
                    bindings: [ "customer.*", "order.created" ]
                  - name: cancellations
                    queue: %s
                    bindings: [ "order.cancelled" ]
                legacy-names:
                  customer.updated: CustomerChanged
                """.formatted(CRM, AUDIT, CANCELLATIONS));
        settings.putAll(Map.of("herald.rabbitmq.initial-backoff", "50", "herald.rabbitmq.max-backoff", "500",
                "herald.rabbitmq.lag-interval", "200"));
        Traces.exportForTests(SPANS);
        try {
            hub = TestHub.start(settings);
        } finally {
            Traces.exportForTests(null);
        }
        // the bridge declares the queues on its first connection, at its first event
        String first = BridgeFixture.createCustomer(hub, "First");
        await().atMost(Duration.ofSeconds(30)).until(() -> FIXTURE.queueExists(AUDIT) && FIXTURE.queueExists(CRM) && FIXTURE.queueExists(CANCELLATIONS));
        amqp.consume(CRM);
        amqp.consume(AUDIT);
        await().atMost(Duration.ofSeconds(30)).until(() -> !forAggregate(AUDIT, first).isEmpty());
    }

    @AfterAll
    static void stop() {
        hub.close();
        FIXTURE.close();
    }

    @Test
    void everyEventArrivesWithItsRoutingKeyFormatAndHeaders() throws Exception {
        String customer = BridgeFixture.createCustomer(hub, "Ada Lovelace");
        assertThat(hub.http.put("/api/customers/" + customer, "{\"full_name\":\"Ada King\"}").status()).isEqualTo(201);
        Response order = hub.http.post("/api/orders", "{\"customer_id\":\"" + customer
                + "\",\"items\":[{\"product_id\":\"p-1\",\"quantity\":2,\"unit_price\":9.99}]}");
        assertThat(order.status()).as(order.toString()).isEqualTo(201);
        String orderId = order.json().get("aggregate_id").asText();

        List<Delivery> audit = await().atMost(Duration.ofSeconds(30))
                .until(() -> forAggregate(AUDIT, customer), d -> d.size() >= 2);
        assertThat(audit).extracting(Delivery::routingKey).containsExactly("customer.created", "customer.updated");
        for (Delivery delivery : audit) {
            JsonNode event = JSON.readTree(delivery.body());
            assertThat(delivery.messageId()).isEqualTo(event.get("id").asText());
            assertThat(delivery.properties().getType()).isEqualTo(event.get("type").asText());
            assertThat(delivery.properties().getContentType()).isEqualTo("application/cloudevents+json");
            assertThat(delivery.properties().getDeliveryMode()).isEqualTo(2);
            assertThat(delivery.properties().getTimestamp()).isNotNull();
            assertThat(delivery.properties().getCorrelationId()).isEqualTo(customer);
            assertThat(delivery.properties().getAppId()).isEqualTo("herald");
            assertThat(delivery.header("aggregate_id")).isEqualTo(customer);
            assertThat(delivery.header("aggregate_version")).isEqualTo(event.get("aggregateversion").asText());
            assertThat(delivery.properties().getHeaders().keySet()).as("no internal Spring header on the wire")
                    .noneMatch(name -> name.startsWith("spring_"));
            assertThat(event.get("subject").asText()).isEqualTo(customer);
        }
        List<Delivery> orders = await().atMost(Duration.ofSeconds(30))
                .until(() -> forAggregate(AUDIT, orderId), d -> !d.isEmpty());
        assertThat(orders).extracting(Delivery::routingKey).containsExactly("order.created");

        // the legacy consumer: seed 000's envelope, its own names, the same message ids
        List<Delivery> crm = await().atMost(Duration.ofSeconds(30))
                .until(() -> forAggregate(CRM, customer), d -> d.size() >= 2);
        assertThat(crm).extracting(Delivery::messageId).containsExactlyElementsOf(
                audit.stream().map(Delivery::messageId).toList());
        JsonNode created = JSON.readTree(crm.get(0).body());
        assertThat(iterable(created.fieldNames())).containsExactly("event_type", "timestamp", "data");
        assertThat(created.get("event_type").asText()).isEqualTo("CustomerCreated");
        assertThat(created.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(created.get("data").get("customer_id").asText()).isEqualTo(customer);
        assertThat(created.get("data").get("full_name").asText()).isEqualTo("Ada Lovelace");
        assertThat(created.get("data").get("email").asText()).isEqualTo("ada-lovelace@example.com");
        assertThat(crm.get(0).properties().getContentType()).isEqualTo("application/json");
        assertThat(crm.get(0).routingKey()).isEqualTo("customer.created");
        assertThat(JSON.readTree(crm.get(1).body()).get("event_type").asText()).isEqualTo("CustomerChanged");
        assertThat(amqp.received(CRM)).noneMatch(d -> d.routingKey().startsWith("order."));

        String metrics = hub.http.get("/observe/metrics").body();
        assertThat(metrics).contains("herald_rabbitmq_bridged_total{consumer=\"crm\"}")
                .contains("herald_rabbitmq_confirm_latency_seconds_count").contains("herald_rabbitmq_paused");
        // committed offsets trail the end of a transactional topic by its commit markers: at most one per
        // partition (2 topics x 3 partitions here) once everything is bridged
        await().atMost(Duration.ofSeconds(30)).until(() -> gauge("herald_rabbitmq_lag"), lag -> lag >= 0 && lag <= 6);
    }

    @Test
    void anEventRabbitMqReturnsAsUnroutableIsDeadLetteredAndTheRestFlows() throws Exception {
        // the only queue bound to order.cancelled disappears behind the bridge's back
        amqp.channel().queueDelete(CANCELLATIONS);
        String customer = BridgeFixture.createCustomer(hub, "Grace Hopper");
        Response order = hub.http.post("/api/orders", "{\"customer_id\":\"" + customer
                + "\",\"items\":[{\"product_id\":\"p-2\",\"quantity\":1,\"unit_price\":5}]}");
        String orderId = order.json().get("aggregate_id").asText();
        String trace = "5bf92f3577b34da6a3ce929d0e0e4737";
        try (LogLines deadLettered = new LogLines(DeadLetterStore.class)) {
            assertThat(hub.http.post("/api/orders/" + orderId + "/cancel", "{\"reason\":\"changed my mind\"}",
                    "traceparent", "00-" + trace + "-00f067aa0ba902b7-01").status()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryLong(
                    "SELECT count(*) FROM dead_letters WHERE stage = 'rabbitmq' AND aggregate_id = ?", orderId) == 1);
            // the bridge's line about the event carries the trace id of the request it came from
            assertThat(deadLettered.containing("(order.cancelled)")).filteredOn(line -> line.getFormattedMessage()
                    .contains("stage rabbitmq")).singleElement()
                    .satisfies(line -> assertThat(LogLines.traceId(line)).isEqualTo(trace));
        }
        String after = BridgeFixture.createCustomer(hub, "After Cancel");

        assertThat(hub.queryLong("SELECT count(*) FROM dead_letters WHERE stage = 'rabbitmq' AND aggregate_id = ?"
                + " AND event_type = 'order.cancelled' AND destination = ? AND failure_reason LIKE '%312%'"
                + " AND original_event ->> 'type' = 'order.cancelled'", orderId, EXCHANGE)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> forAggregate(AUDIT, after), d -> !d.isEmpty());
        assertThat(hub.http.get("/observe/metrics").body()).contains("herald_rabbitmq_failures_total{reason=\"unroutable\"}");

        // the queue is back; an operator retries the dead letter: the same event arrives, same message_id
        long letter = hub.queryLong("SELECT id FROM dead_letters WHERE stage = 'rabbitmq' AND aggregate_id = ?", orderId);
        amqp.channel().queueDeclare(CANCELLATIONS, true, false, false, Map.of("x-dead-letter-exchange",
                FIXTURE.deadLetterExchange, "x-dead-letter-routing-key", CANCELLATIONS));
        amqp.channel().queueBind(CANCELLATIONS, EXCHANGE, "order.cancelled");
        amqp.consume(CANCELLATIONS);
        Response retried = hub.http.post("/api/dead-letters/" + letter + "/retry", "");
        assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
        Delivery redelivered = await().atMost(Duration.ofSeconds(30))
                .until(() -> forAggregate(CANCELLATIONS, orderId), d -> !d.isEmpty()).get(0);
        JsonNode event = JSON.readTree(redelivered.body());
        assertThat(redelivered.routingKey()).isEqualTo("order.cancelled");
        assertThat(redelivered.messageId()).isEqualTo(event.get("id").asText());
        assertThat(hub.queryLong("SELECT count(*) FROM dead_letters WHERE id = ? AND resolution = 'retried'"
                + " AND event_id = CAST(? AS uuid)", letter, redelivered.messageId())).isEqualTo(1);
        // the look-up shows the retry's delivery, the bridge's first publish having been returned
        JsonNode path = await().atMost(Duration.ofSeconds(30)).until(() -> hub.http.get("/api/lookup/"
                + redelivered.messageId()).json().get(0), found -> found.get("rabbitmq").size() == 1);
        assertThat(path.at("/rabbitmq/0/exchange").asText()).isEqualTo(EXCHANGE);
        assertThat(path.at("/rabbitmq/0/confirmed_at").asText()).isNotEmpty();

        // the dead-lettered publish is an error span; the retry's continues the context stored with the event
        SpanContext stored = Traces.parse(event.get("traceparent").asText(), null);
        SpanContext retriedContext = Traces.parse(String.valueOf(redelivered.header("traceparent")), null);
        List<SpanData> publishes = await().atMost(Duration.ofSeconds(30)).until(() -> SPANS.getFinishedSpanItems()
                .stream().filter(s -> s.getName().equals("rabbitmq publish " + EXCHANGE)
                        && redelivered.messageId().equals(s.getAttributes().get(Traces.EVENT_ID))).toList(),
                s -> s.size() >= 2);
        assertThat(publishes).anySatisfy(refused -> {
            assertThat(refused.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(refused.getStatus().getDescription()).contains("312");
        });
        assertThat(publishes).anySatisfy(again -> {
            assertThat(retriedContext.getSpanId()).isEqualTo(again.getSpanId());
            assertThat(again.getTraceId()).isEqualTo(stored.getTraceId());
            assertThat(again.getParentSpanId()).isEqualTo(stored.getSpanId());
            assertThat(again.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        });
    }

    @Test
    void droppedBrokerConnectionsLoseNothingAndEachAggregateStaysInOrder() throws Exception {
        int aggregates = 12;
        int updates = 9;
        List<String> ids = IntStream.range(0, aggregates).mapToObj(i -> BridgeFixture.createCustomer(hub, "Load " + i)).toList();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writing = new ArrayList<>();
            for (String id : ids) {
                writing.add(writers.submit(() -> {
                    for (int v = 0; v < updates; v++) {
                        Response updated = hub.http.put("/api/customers/" + id, "{\"full_name\":\"Load v" + v + "\"}");
                        assertThat(updated.status()).as(updated.toString()).isEqualTo(201);
                    }
                }));
            }
            // mid-stream: once some events are through, the broker drops every connection
            await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream()
                    .mapToInt(id -> forAggregate(AUDIT, id).size()).sum() > aggregates + 10);
            Engines.get().amqp().closeAllConnections();
            amqp.reconnect();
            for (Future<?> write : writing) {
                write.get();
            }
        } finally {
            writers.shutdown();
        }

        for (String id : ids) {
            List<Integer> versions = await().atMost(Duration.ofSeconds(60))
                    .until(() -> distinctVersions(forAggregate(AUDIT, id)), v -> v.size() == updates + 1);
            assertThat(versions).as("versions of %s in arrival order", id)
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, updates + 1).boxed().toList());
            assertThat(await().atMost(Duration.ofSeconds(60))
                    .until(() -> distinctVersions(forAggregate(CRM, id)), v -> v.size() == updates + 1))
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, updates + 1).boxed().toList());
        }
        assertThat(hub.queryLong("SELECT count(*) FROM dead_letters WHERE stage = 'rabbitmq' AND event_type <> 'order.cancelled'"))
                .isZero();
    }

    @Test
    void theLookUpShowsEachDeliveryTheBrokerConfirmedWithItsTime() {
        String customer = BridgeFixture.createCustomer(hub, "Looked Up");
        Response order = hub.http.post("/api/orders", "{\"customer_id\":\"" + customer
                + "\",\"items\":[{\"product_id\":\"p-3\",\"quantity\":1,\"unit_price\":3}]}");
        assertThat(order.status()).as(order.toString()).isEqualTo(201);
        String orderId = order.json().get("aggregate_id").asText();

        // customer.created: both exchanges, the CloudEvents one and the legacy one crm binds
        JsonNode created = await().atMost(Duration.ofSeconds(30)).until(() -> lookup(customer),
                found -> found.size() == 1 && exchanges(found.get(0)).containsAll(List.of(EXCHANGE,
                        FIXTURE.legacyExchange)));
        assertThat(exchanges(created.get(0))).containsOnly(EXCHANGE, FIXTURE.legacyExchange);
        for (JsonNode delivery : created.get(0).get("rabbitmq")) {
            assertThat(java.time.OffsetDateTime.parse(delivery.get("confirmed_at").asText())).isNotNull();
        }
        // order.created: the CloudEvents exchange alone, no legacy consumer binds it, so nothing went there
        JsonNode placed = await().atMost(Duration.ofSeconds(30)).until(() -> lookup(orderId).get(0),
                found -> !found.get("rabbitmq").isEmpty());
        assertThat(placed.at("/event/type").asText()).isEqualTo("order.created");
        assertThat(exchanges(placed)).containsOnly(EXCHANGE);
    }

    @Test
    void aDeliveryTheLookUpCannotRecordIsDeliveredAllTheSame() throws Exception {
        double failedBefore = BridgeFixture.metricSum(hub, "herald_rabbitmq_delivery_log_failures_total", "");
        String customer;
        try (java.sql.Connection connection = hub.dataSource().getConnection();
                java.sql.Statement sql = connection.createStatement()) {
            sql.execute("ALTER TABLE rabbitmq_deliveries RENAME TO rabbitmq_deliveries_away");
            try {
                customer = BridgeFixture.createCustomer(hub, "Not Recorded");
                await().atMost(Duration.ofSeconds(30)).until(() -> !forAggregate(AUDIT, customer).isEmpty()
                        && !forAggregate(CRM, customer).isEmpty());
                // the insert failed: counted (and logged), the bridge went on
                await().atMost(Duration.ofSeconds(30)).until(() -> BridgeFixture.metricSum(hub,
                        "herald_rabbitmq_delivery_log_failures_total", "") > failedBefore);
            } finally {
                sql.execute("ALTER TABLE rabbitmq_deliveries_away RENAME TO rabbitmq_deliveries");
            }
        }
        // the next event is delivered and recorded; the unrecorded one was not sent again (its offset committed)
        String after = BridgeFixture.createCustomer(hub, "Recorded Again");
        await().atMost(Duration.ofSeconds(30)).until(() -> lookup(after), found -> !found.isEmpty()
                && !found.get(0).get("rabbitmq").isEmpty());
        assertThat(forAggregate(AUDIT, customer)).hasSize(1);
        assertThat(forAggregate(CRM, customer)).hasSize(1);
    }

    @Test
    void deliveriesOlderThanTheRetentionAreDeleted() throws Exception {
        String old = java.util.UUID.randomUUID().toString();
        String recent = java.util.UUID.randomUUID().toString();
        try (java.sql.Connection connection = hub.dataSource().getConnection();
                java.sql.Statement sql = connection.createStatement()) {
            sql.execute("INSERT INTO rabbitmq_deliveries (exchange, event_ids, confirmed_at) VALUES ('" + EXCHANGE
                    + "', ARRAY[CAST('" + old + "' AS uuid)], now() - interval '8 days'), ('" + EXCHANGE
                    + "', ARRAY[CAST('" + recent + "' AS uuid)], now() - interval '6 days')");
        }
        // the timer runs a second after its route starts, then every 10 minutes: restarted, it runs now
        hub.camel().getRouteController().stopRoute("rabbitmq-delivery-log-retention");
        hub.camel().getRouteController().startRoute("rabbitmq-delivery-log-retention");
        String recorded = "SELECT count(*) FROM rabbitmq_deliveries WHERE event_ids @> ARRAY[CAST(? AS uuid)]";
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryLong(recorded, old) == 0);
        assertThat(hub.queryLong(recorded, recent)).as("within the 7 days' retention").isEqualTo(1);
    }

    /** GET /api/lookup/{id}: the path of each event the id names. */
    private static JsonNode lookup(String id) {
        Response found = hub.http.get("/api/lookup/" + id);
        assertThat(found.status()).as(found.toString()).isEqualTo(200);
        return found.json();
    }

    private static List<String> exchanges(JsonNode found) {
        List<String> exchanges = new ArrayList<>();
        found.get("rabbitmq").forEach(delivery -> exchanges.add(delivery.get("exchange").asText()));
        return exchanges;
    }

    private static double gauge(String name) {
        return hub.http.get("/observe/metrics").body().lines().filter(line -> line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(name.length() + 1))).findFirst().orElse(-1);
    }

    /** Versions in order of first arrival: a redelivered duplicate (same message_id) does not count twice. */
    private static List<Integer> distinctVersions(List<Delivery> deliveries) {
        Map<String, Integer> firstSeen = new LinkedHashMap<>();
        deliveries.forEach(d -> firstSeen.putIfAbsent(d.messageId(), Integer.valueOf(d.header("aggregate_version").toString())));
        return List.copyOf(firstSeen.values());
    }

    @Test
    void theMessageCarriesTheCommandsTraceContext() {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        Response created = hub.http.post("/api/customers", "{\"full_name\":\"Traced\",\"email\":\"t@example.com\"}",
                "traceparent", "00-" + trace + "-00f067aa0ba902b7-01");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String customer = created.json().get("aggregate_id").asText();
        List<Delivery> audit = await().atMost(Duration.ofSeconds(30))
                .until(() -> forAggregate(AUDIT, customer), d -> !d.isEmpty());
        // the bridge's publish span, child of the command's publish span (the Kafka record's context), child of
        // the request's server span, child of the caller's
        String traceparent = String.valueOf(audit.get(0).header("traceparent"));
        assertThat(traceparent).matches("00-" + trace + "-[0-9a-f]{16}-01");
        List<SpanData> spans = await().atMost(Duration.ofSeconds(30)).until(
                () -> SPANS.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(trace)).toList(),
                s -> s.stream().anyMatch(span -> traceparent.contains(span.getSpanId())));
        SpanData bridged = spans.stream().filter(s -> traceparent.contains(s.getSpanId())).findFirst().orElseThrow();
        assertThat(bridged.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(bridged.getName()).isEqualTo("rabbitmq publish " + EXCHANGE);
        SpanData published = parentOf(bridged, spans);
        assertThat(published.getName()).isEqualTo("customer.created publish");
        SpanData server = parentOf(published, spans);
        assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(server.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    }

    private static SpanData parentOf(SpanData child, List<SpanData> spans) {
        return spans.stream().filter(s -> s.getSpanId().equals(child.getParentSpanId())).findFirst().orElseThrow();
    }

    private static List<Delivery> forAggregate(String queue, String aggregateId) {
        return amqp.received(queue).stream().filter(d -> aggregateId.equals(d.header("aggregate_id"))).toList();
    }



    private static <T> List<T> iterable(Iterator<T> iterator) {
        List<T> list = new ArrayList<>();
        iterator.forEachRemaining(list::add);
        return list;
    }
}
