package dev.herald.bridge.webhook;

import static dev.herald.bridge.webhook.WebhookHubs.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.bridge.webhook.WebhookReceiver.Received;
import dev.herald.intake.CommandEndpoint;
import dev.herald.testing.AmqpClient.Delivery;
import dev.herald.testing.AmqpClient;
import dev.herald.testing.Engines;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21: a command declared in a routes directory, with no bridge setting touched, has its events reach a
 * webhook endpoint and a RabbitMQ consumer queue; both bridges learned its topic from the declaration.
 */
class NewCommandBridgedTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void aNewCommandsEventsReachWebhooksAndRabbitMqWithNoTopicSetting(@TempDir Path root) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "products-" + run;  // the Kafka broker is shared between tests
        HubHome home = HubHome.copyOfShipped(root).withProducts(topic);
        String queue = "herald.test-" + run + ".catalog";
        Path consumers = root.resolve("rabbitmq.yaml");
        Files.writeString(consumers, """
                consumers:
                  - { name: catalog, queue: %s, bindings: [ "product.*" ] }
                """.formatted(queue));
        Map<String, String> settings = new HashMap<>(WebhookHubs.settings(home.settings()));
        settings.putAll(Map.of("herald.rabbitmq.enabled", "true", "herald.rabbitmq.consumers-file", consumers.toString(),
                "herald.rabbitmq.exchange", "herald.events.test-" + run,
                "herald.rabbitmq.legacy-exchange", "herald.events.legacy.test-" + run,
                "herald.rabbitmq.dead-letter-exchange", "herald.events.dlx.test-" + run,
                "herald.rabbitmq.group", "herald-rabbitmq-test-" + run));
        assertThat(settings).doesNotContainKeys("herald.rabbitmq.topics", "herald.webhooks.topics",
                "herald.bridges.exclude-topics");

        try (AmqpClient amqp = new AmqpClient(Engines.get().amqp().url())) {
            try (WebhookReceiver receiver = new WebhookReceiver(); TestHub hub = TestHub.start(settings)) {
                String bridged = settings.get("herald.topics.customers") + "," + settings.get("herald.topics.orders")
                        + "," + topic;
                assertThat(hub.camelContext().resolvePropertyPlaceholders("{{herald.webhooks.topics}}")).isEqualTo(bridged);
                assertThat(hub.camelContext().resolvePropertyPlaceholders("{{herald.rabbitmq.topics}}")).isEqualTo(bridged);
                // what was read from the route model before the routes existed is what the created steps say
                assertThat(hub.camelContext().getEndpoints().stream().filter(CommandEndpoint.class::isInstance)
                        .map(e -> ((CommandEndpoint) e).getTopic()).distinct().sorted().toList())
                        .isEqualTo(List.of(bridged.split(",")));

                endpoint(hub, "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"product.*\"]}");
                Response created = hub.http.post("/api/products", "{\"name\":\"Analytical Engine\",\"price\":1837}");
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
                String id = created.json().get("aggregate_id").asText();

                Received hook = await().atMost(PATIENCE).until(() -> receiver.forAggregate(id), r -> r.size() == 1).get(0);
                assertThat(hook.json().get("type").asText()).isEqualTo("product.created");

                // the bridge declares its queues on its first connection, at its first event
                await().atMost(PATIENCE).until(() -> queueExists(amqp, queue));
                amqp.consume(queue);
                Delivery message = await().atMost(PATIENCE).until(() -> amqp.received(queue).stream()
                        .filter(d -> id.equals(String.valueOf(d.header("aggregate_id")))).findFirst().orElse(null),
                        d -> d != null);
                assertThat(message.routingKey()).isEqualTo("product.created");
            } finally {
                amqp.deleteQuietly(List.of(queue, queue + ".dlq"), List.of("herald.events.test-" + run,
                        "herald.events.legacy.test-" + run, "herald.events.dlx.test-" + run));
            }
        }
    }

    private static boolean queueExists(AmqpClient amqp, String queue) {
        try (var channel = amqp.channel().getConnection().createChannel()) {
            channel.queueDeclarePassive(queue);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
