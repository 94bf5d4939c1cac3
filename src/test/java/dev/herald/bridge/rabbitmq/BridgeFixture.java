package dev.herald.bridge.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.AmqpClient;
import dev.herald.testing.Engines;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.Invariants.Delivery;
import dev.herald.testing.Invariants.Sink;
import dev.herald.testing.TestHub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a bridge test needs on the shared AMQP broker: exchange, queue, topic and group names unique to this
 * run (deleted by {@link #close()}, so reruns on a shared RabbitMQ start clean) and a plain AMQP consumer.
 */
public final class BridgeFixture implements AutoCloseable {

    final String run = UUID.randomUUID().toString().substring(0, 8);
    final String exchange = "herald.events.test-" + run;
    final String legacyExchange = "herald.events.legacy.test-" + run;
    final String deadLetterExchange = "herald.events.dlx.test-" + run;
    final AmqpClient amqp = new AmqpClient(Engines.get().amqp().url());
    private final List<String> queues = new ArrayList<>();

    /** A queue name of this run. */
    public String queue(String name) {
        String queue = "herald.test-" + run + "." + name;
        queues.add(queue);
        queues.add(queue + ".dlq");
        return queue;
    }

    /** Declarations of the two consumers several tests use: audit (CloudEvents) and crm (legacy), on customer.*. */
    public static String auditAndCrm(String auditQueue, String crmQueue) {
        return """
                consumers:
                  - { name: audit, queue: %s, bindings: [ "customer.*" ] }
                  - { name: crm, queue: %s, format: legacy, bindings: [ "customer.*" ] }
                """.formatted(auditQueue, crmQueue);
    }

    /** Hub settings: the bridge on (or off) with these consumer declarations, on this run's names. */
    public Map<String, String> settings(boolean enabled, String declarations) {
        try {
            Path file = Files.createTempFile("herald-rabbitmq-", ".yaml");
            Files.writeString(file, declarations);
            Map<String, String> settings = new HashMap<>(Map.of(
                    "herald.rabbitmq.enabled", String.valueOf(enabled),
                    "herald.rabbitmq.consumers-file", file.toString(),
                    "herald.rabbitmq.exchange", exchange,
                    "herald.rabbitmq.legacy-exchange", legacyExchange,
                    "herald.rabbitmq.dead-letter-exchange", deadLetterExchange,
                    "herald.rabbitmq.group", "herald-rabbitmq-test-" + run,
                    "herald.topics.customers", "customers-" + run,
                    "herald.topics.orders", "orders-" + run));
            return settings;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CloudEvents exchange of this run (herald.rabbitmq.exchange). */
    public String exchange() {
        return exchange;
    }

    /** The plain AMQP client of this run, for consumers the test starts. */
    public AmqpClient amqp() {
        return amqp;
    }

    public boolean queueExists(String queue) {
        try (var channel = amqp.channel().getConnection().createChannel()) {
            channel.queueDeclarePassive(queue);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** A consumer queue of this run as the invariant checker reads it: at least once, deduplicated on message_id. */
    Sink sink(String queue) {
        return new Sink(queue, false, () -> amqp.received(queue).stream()
                .map(d -> new Delivery(d.messageId(), String.valueOf(d.header("aggregate_id")), d.text())).toList());
    }

    /** The sum of the hub's Prometheus samples of {@code name} whose labels contain {@code label}. */
    static double metricSum(TestHub hub, String name, String label) {
        return hub.metricSum(name, label);
    }

    /** A customer of that name; {@code headers}: the request's, name and value in turn (e.g. a traceparent). */
    static String createCustomer(TestHub hub, String name, String... headers) {
        Response created = hub.http.post("/api/customers", "{\"full_name\":\"" + name + "\",\"email\":\""
                + name.toLowerCase().replace(' ', '-') + "@example.com\"}", headers);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("aggregate_id").asText();
    }

    @Override
    public void close() {
        amqp.deleteQuietly(queues, List.of(exchange, legacyExchange, deadLetterExchange));
        amqp.close();
    }
}
