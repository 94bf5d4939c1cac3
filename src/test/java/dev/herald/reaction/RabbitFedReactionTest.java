package dev.herald.reaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import dev.herald.testing.Engines;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped reaction payment-failed fed by a legacy producer's RabbitMQ exchange too (template
 * reaction-from-rabbitmq), on the shared AMQP broker: its messages reach the reaction through its inbound topic, and
 * an event that comes both ways is applied once.
 */
class RabbitFedReactionTest {

    @Test
    void aQueueFeedsTheSameReactionExactlyOnce(@TempDir Path dir) throws Exception {
        String run = UUID.randomUUID().toString();
        String exchange = "legacy-payments-" + run;
        String queue = "herald.legacy-payments-" + run;
        String inbound = "herald.inbound.payment-failed-" + run;
        String payments = "payments-" + run;
        HubHome home = HubHome.copyOfShipped(dir).write("routes/legacy-payments.camel.yaml", """
                - templatedRoute:
                    routeTemplateRef: reaction-from-rabbitmq
                    routeId: legacy-payments
                    parameters:
                      - { name: exchange, value: %s }
                      - { name: queue, value: %s }
                      - { name: bindingKey, value: "payment.*" }
                      - { name: topic, value: %s }
                """.formatted(exchange, queue, inbound));
        String amqpUrl = Engines.get().amqp().url();
        Map<String, String> settings = new HashMap<>(home.settings());
        settings.put("herald.rabbitmq.url", amqpUrl);
        settings.put("herald.reactions.payments-topic", payments + "," + inbound);
        settings.put("herald.reactions.group", "test-reactions-" + run);
        try (TestHub hub = TestHub.start(settings);
                com.rabbitmq.client.Connection amqp = connection(amqpUrl);
                KafkaProducer<String, byte[]> kafka = ReactionTest.producer(hub.brokers())) {
            var channel = amqp.createChannel();
            String order = ReactionTest.newOrder(hub);
            byte[] event = ("{\"specversion\":\"1.0\",\"id\":\"pay-" + run + "\",\"source\":\"/legacy-payments\","
                    + "\"type\":\"payment.failed\",\"data\":{\"order_id\":\"" + order + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            AMQP.BasicProperties structured = new AMQP.BasicProperties.Builder()
                    .contentType("application/cloudevents+json").deliveryMode(2).build();
            channel.basicPublish(exchange, "payment.failed", structured, event);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    "cancelled".equals(hub.http.get("/api/orders/" + order).json().path("status").asText()));

            // the same event again, from RabbitMQ and from the payment service's Kafka topic, then a binary one
            channel.basicPublish(exchange, "payment.failed", structured, event);
            kafka.send(new ProducerRecord<>(payments, event)).get();
            String later = ReactionTest.newOrder(hub);
            AMQP.BasicProperties binary = new AMQP.BasicProperties.Builder().contentType("application/json")
                    .headers(Map.of("ce_specversion", "1.0", "ce_id", "pay-later-" + run,
                            "ce_source", "/legacy-payments", "ce_type", "payment.failed")).build();
            channel.basicPublish(exchange, "payment.failed", binary,
                    ("{\"order_id\":\"" + later + "\"}").getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    "cancelled".equals(hub.http.get("/api/orders/" + later).json().path("status").asText()));
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    hub.metricSum("herald_reactions_duplicates_total", "payment-failed") >= 2);

            assertThat(hub.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ? AND event_type = "
                    + "'order.cancelled'", order)).isEqualTo(1);
            assertThat(hub.count("dead_letters")).isZero();
            channel.queueDelete(queue);
            channel.exchangeDelete(exchange);
        }
    }

    private static com.rabbitmq.client.Connection connection(String url) throws Exception {
        com.rabbitmq.client.ConnectionFactory factory = new com.rabbitmq.client.ConnectionFactory();
        factory.setUri(url);
        return factory.newConnection("reaction-test-producer");
    }
}
