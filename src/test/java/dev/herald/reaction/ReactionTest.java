package dev.herald.reaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped reaction payment-failed on real engines: the payment service's topic written by a plain Kafka
 * producer (all to partition 0, so every record below is on the same one), orders cancelled through order.cancel.
 */
class ReactionTest {

    private static final String PAYMENTS = "payments-" + UUID.randomUUID();
    private static TestHub hub;
    private static KafkaProducer<String, byte[]> payments;

    @BeforeAll
    static void start() {
        hub = TestHub.start(Map.of("herald.reactions.payments-topic", PAYMENTS,
                "herald.reactions.group", "test-reactions-" + UUID.randomUUID(),
                "herald.reactions.initial-backoff", "50", "herald.reactions.max-backoff", "200"));
        payments = producer(hub.brokers());
    }

    /** A plain Kafka producer, as the other service would run one. */
    static KafkaProducer<String, byte[]> producer(String brokers) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }

    @AfterAll
    static void stop() {
        payments.close();
        hub.close();
    }

    @Test
    void paymentFailedCancelsTheOrderOnceHoweverOftenItIsDelivered() throws Exception {
        String order = newOrder();
        String event = paymentFailed("pay-" + UUID.randomUUID(), order);
        try (TopicReader orders = new TopicReader(hub.brokers(), "orders")) {
            send(event);
            awaitCancelled(order);
            JsonNode cancelled = hub.http.get("/api/orders/" + order).json();
            assertThat(cancelled.get("cancel_reason").asText()).isEqualTo("payment_failed");

            for (int i = 0; i < 3; i++) {
                send(event);
            }
            // a later event on the same partition applied: the three redeliveries were taken before it
            String later = newOrder();
            send(paymentFailed("pay-" + UUID.randomUUID(), later));
            awaitCancelled(later);

            assertThat(hub.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ? AND event_type = "
                    + "'order.cancelled'", order)).isEqualTo(1);
            assertThat(hub.queryLong("SELECT count(*) FROM inbox i JOIN commands c USING (command_id) "
                    + "WHERE c.aggregate_id = ? AND i.reaction = 'payment-failed'", order)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> types(orders.recordsFor(later)).contains("order.cancelled"));
            assertThat(types(orders.recordsFor(order))).containsExactly("order.created", "order.cancelled");
            assertThat(hub.metricSum("herald_reactions_duplicates_total", "payment-failed")).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aCommandThatCannotBeAppliedNowIsRetriedNotDeadLettered() throws Exception {
        String order = newOrder();
        double retriesBefore = hub.metricSum("herald_reactions_retries_total", "payment-failed");
        long deadLettersBefore = hub.count("dead_letters");
        try (Connection lock = hub.dataSource().getConnection()) {
            // the orders table held by another transaction: the command waits past herald.publish.timeout, 503
            lock.setAutoCommit(false);
            lock.createStatement().execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
            send(paymentFailed("pay-" + UUID.randomUUID(), order));
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    hub.metricSum("herald_reactions_retries_total", "payment-failed") >= retriesBefore + 2);
            lock.rollback();
        }
        awaitCancelled(order);
        assertThat(hub.count("dead_letters")).isEqualTo(deadLettersBefore);
        assertThat(hub.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ? AND event_type = "
                + "'order.cancelled'", order)).isEqualTo(1);
    }

    @Test
    void aBinaryModeCloudEventIsAppliedAndItsTraceGoesOn() {
        String order = newOrder();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(PAYMENTS, 0, null,
                ("{\"order_id\":\"" + order + "\",\"amount\":19.98}").getBytes(StandardCharsets.UTF_8));
        header(record, "ce_specversion", "1.0");
        header(record, "ce_id", "pay-" + UUID.randomUUID());
        header(record, "ce_source", "/payment-service");
        header(record, "ce_type", "payment.failed");
        header(record, "content-type", "application/json");
        String traceId = UUID.randomUUID().toString().replace("-", "");
        header(record, "ce_traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
        payments.send(record);
        awaitCancelled(order);
        assertThat(hub.http.get("/api/orders/" + order).json().get("cancel_reason").asText()).isEqualTo("payment_failed");
        assertThat(hub.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ? AND event_type = 'order.cancelled'"
                + " AND traceparent LIKE ?", order, "00-" + traceId + "-%")).as("the payment service's trace goes on")
                .isEqualTo(1);
    }

    @Test
    void whatCannotBeAppliedIsDeadLetteredAndThePartitionGoesOn() {
        String notCloudEvent = "not a cloud event " + UUID.randomUUID();
        send(notCloudEvent);
        String withoutOrder = "pay-" + UUID.randomUUID();
        send("{\"specversion\":\"1.0\",\"id\":\"" + withoutOrder + "\",\"source\":\"/payment-service\","
                + "\"type\":\"payment.failed\",\"data\":{\"amount\":1}}");
        String unknownOrder = "pay-" + UUID.randomUUID();
        send(paymentFailed(unknownOrder, UUID.randomUUID().toString()));
        String order = newOrder();
        send(paymentFailed("pay-" + UUID.randomUUID(), order));
        awaitCancelled(order);

        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters().size() >= 3);
        List<JsonNode> letters = deadLetters();
        assertThat(letters).anySatisfy(letter -> {
            assertThat(letter.toString()).contains(notCloudEvent);
            assertThat(letter.get("failureReason").asText()).contains("not a CloudEvent");
        });
        assertThat(letters).anySatisfy(letter -> {
            assertThat(letter.toString()).contains(withoutOrder);
            assertThat(letter.get("failureReason").asText()).contains("the event has no .data.order_id");
        });
        assertThat(letters).anySatisfy(letter -> {
            assertThat(letter.toString()).contains(unknownOrder);
            assertThat(letter.get("failureReason").asText()).contains("order.cancel refused it (404)");
        });
        assertThat(letters).allSatisfy(letter -> assertThat(letter.get("destination").asText())
                .isEqualTo("payment-failed"));

        // an operator's retry runs the event through the reaction again: refused again, it says why and stays open
        JsonNode unknown = letters.stream().filter(letter -> letter.toString().contains(unknownOrder)).findFirst()
                .orElseThrow();
        long recorded = hub.count("dead_letters");
        Response retry = hub.http.post("/api/dead-letters/" + unknown.get("id").asLong() + "/retry", "");
        assertThat(retry.status()).as(retry.toString()).isEqualTo(409);
        assertThat(retry.json().get("detail").asText()).contains("order.cancel refused it (404)");
        assertThat(hub.http.get("/api/dead-letters/" + unknown.get("id").asLong()).json().get("resolution").isNull())
                .isTrue();
        assertThat(hub.count("dead_letters")).isEqualTo(recorded);
        assertThat(hub.metricSum("herald_reactions_dead_lettered_total", "payment-failed")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aBlockReactionRetriesWhatItCannotApplyAndHoldsItsPartition(@TempDir Path dir) {
        String topic = "strict-payments-" + UUID.randomUUID();
        HubHome home = HubHome.copyOfShipped(dir).write("routes/strict-payments.camel.yaml", """
                - templatedRoute:
                    routeTemplateRef: reaction
                    routeId: strict-payment-failed
                    parameters:
                      - { name: name, value: strict-payment-failed }
                      - { name: topic, value: %s }
                      - { name: type, value: payment.failed }
                      - { name: command, value: order.cancel }
                      - { name: aggregateId, value: .data.order_id }
                      - { name: body, value: '{reason: "payment_failed"}' }
                      - { name: failure, value: block }
                """.formatted(topic));
        Map<String, String> settings = new HashMap<>(home.settings());
        settings.put("herald.reactions.group", "test-reactions-" + UUID.randomUUID());
        settings.put("herald.reactions.initial-backoff", "20");
        settings.put("herald.reactions.max-backoff", "50");
        try (TestHub strict = TestHub.start(settings)) {
            String waiting = newOrder(strict);
            send(topic, paymentFailed("pay-" + UUID.randomUUID(), UUID.randomUUID().toString()));   // 404 for good
            send(topic, paymentFailed("pay-" + UUID.randomUUID(), waiting));

            await().atMost(Duration.ofSeconds(30)).until(() ->
                    strict.metricSum("herald_reactions_retries_total", "strict-payment-failed") >= 5);
            assertThat(strict.http.get("/api/orders/" + waiting).json().get("status").asText())
                    .as("the partition waits at the refused event").isNotEqualTo("cancelled");
            assertThat(strict.count("dead_letters")).isZero();
        }
    }

    @Test
    void aReactionNamingNoCommandStopsTheStartNamingIt(@TempDir Path dir) {
        HubHome home = HubHome.copyOfShipped(dir).write("routes/refunds.camel.yaml", """
                - templatedRoute:
                    routeTemplateRef: reaction
                    routeId: refund-issued
                    parameters:
                      - { name: name, value: refund-issued }
                      - { name: topic, value: refunds }
                      - { name: type, value: refund.issued }
                      - { name: command, value: order.refund }
                      - { name: aggregateId, value: .data.order_id }
                      - { name: body, value: "{}" }
                """);
        assertThatThrownBy(() -> TestHub.start(home.settings()).close())
                .hasStackTraceContaining("reaction refund-issued")
                .hasStackTraceContaining("its command order.refund is no command route (parameter command");
    }

    private static List<JsonNode> deadLetters() {
        Response answer = hub.http.get("/api/dead-letters?status=open&stage=inbound");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        List<JsonNode> letters = new ArrayList<>();
        answer.json().path("items").forEach(letters::add);
        return letters;
    }

    private static List<String> types(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(r -> TopicReader.cloudEvent(r).getType()).toList();
    }

    private static String paymentFailed(String id, String order) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/payment-service\","
                + "\"type\":\"payment.failed\",\"datacontenttype\":\"application/json\","
                + "\"data\":{\"order_id\":\"" + order + "\",\"reason\":\"card_declined\"}}";
    }

    private static void send(String value) {
        send(PAYMENTS, value);
    }

    private static void send(String topic, String value) {
        payments.send(new ProducerRecord<>(topic, 0, null, value.getBytes(StandardCharsets.UTF_8)));
    }

    private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
        record.headers().add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String newOrder() {
        return newOrder(hub);
    }

    /** An order of a new customer, placed through the hub's API: its id. */
    static String newOrder(TestHub hub) {
        Response customer = hub.http.post("/api/customers", "{\"full_name\":\"Ada\",\"email\":\"ada@example.com\"}");
        assertThat(customer.status()).as(customer.toString()).isEqualTo(201);
        Response order = hub.http.post("/api/orders", "{\"customer_id\":\"" + customer.json().get("aggregate_id")
                .asText() + "\",\"items\":[{\"product_id\":\"p-1\",\"quantity\":2,\"unit_price\":9.99}]}");
        assertThat(order.status()).as(order.toString()).isEqualTo(201);
        return order.json().get("aggregate_id").asText();
    }

    private static void awaitCancelled(String order) {
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "cancelled".equals(hub.http.get("/api/orders/" + order).json().path("status").asText()));
    }
}
