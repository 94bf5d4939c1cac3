package dev.herald.bridge.rabbitmq;

import com.rabbitmq.client.Channel;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;

/**
 * Declares the exchanges, the consumers' queues and their bindings on every new connection, so a broker that
 * lost them (a restart of the embedded broker, a queue deleted by hand) has them again before the next
 * publish. All durable; each queue dead-letters to {@code <queue>.dlq} through the dead-letter exchange.
 */
record Topology(BridgeDeclarations declarations, Exchanges exchanges) implements ConnectionListener {

    private static final Logger LOG = LoggerFactory.getLogger(Topology.class);

    /** Exchange names: one topic exchange per message format, and the direct dead-letter exchange. */
    record Exchanges(String cloudEvents, String legacy, String deadLetters) {
        String of(MessageFormat format) {
            return format == MessageFormat.CLOUDEVENTS ? cloudEvents : legacy;
        }
    }

    @Override
    public void onCreate(Connection connection) {
        // the raw connection: a failing declaration must not make the caching proxy reconnect (and call us again)
        try (Channel channel = connection.getDelegate().createChannel()) {
            declare(channel);
        } catch (Exception e) {
            // the publish that follows fails and is retried; the next connection declares again
            LOG.error("RabbitMQ bridge could not declare its exchanges and queues: {}", e.toString());
        }
    }

    private void declare(Channel channel) throws java.io.IOException {
        channel.exchangeDeclare(exchanges.cloudEvents(), "topic", true);
        if (!declarations.of(MessageFormat.LEGACY).isEmpty()) {
            channel.exchangeDeclare(exchanges.legacy(), "topic", true);
        }
        channel.exchangeDeclare(exchanges.deadLetters(), "direct", true);
        for (BridgeConsumer consumer : declarations.consumers()) {
            channel.queueDeclare(consumer.deadLetterQueue(), true, false, false, null);
            channel.queueBind(consumer.deadLetterQueue(), exchanges.deadLetters(), consumer.queue());
            channel.queueDeclare(consumer.queue(), true, false, false, Map.of(
                    "x-dead-letter-exchange", exchanges.deadLetters(),
                    "x-dead-letter-routing-key", consumer.queue()));
            for (BindingKey key : consumer.bindings()) {
                channel.queueBind(consumer.queue(), exchanges.of(consumer.format()), key.pattern());
            }
        }
        LOG.debug("RabbitMQ bridge declared {} consumer queues", declarations.consumers().size());
    }
}
