package dev.herald.bridge.rabbitmq;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;

/**
 * Declares the exchanges, the consumers' queues and their bindings on every new connection, so a broker that
 * lost them (a restart of the embedded broker, a queue deleted by hand) has them again before the next
 * publish. All durable; each queue dead-letters to {@code <queue>.dlq} through the dead-letter exchange. The
 * declarations are the current ones: a live reload replaces them ({@link Redeclaration}).
 */
final class Topology implements ConnectionListener {

    private static final Logger LOG = LoggerFactory.getLogger(Topology.class);

    private final Supplier<BridgeDeclarations> declarations;
    private final Exchanges exchanges;

    Topology(Supplier<BridgeDeclarations> declarations, Exchanges exchanges) {
        this.declarations = declarations;
        this.exchanges = exchanges;
    }

    /** Exchange names: one topic exchange per message format, and the direct dead-letter exchange. */
    record Exchanges(String cloudEvents, String legacy, String deadLetters) {
        String of(MessageFormat format) {
            return format == MessageFormat.CLOUDEVENTS ? cloudEvents : legacy;
        }
    }

    /** A consumer queue's binding to the topic exchange of its format. */
    record Binding(String queue, String exchange, String key) {
        @Override
        public String toString() {
            return queue + " <- " + exchange + " " + key;
        }
    }

    @Override
    public void onCreate(Connection connection) {
        // the raw connection: a failing declaration must not make the caching proxy reconnect (and call us again)
        try (Channel channel = connection.getDelegate().createChannel()) {
            declare(channel, declarations.get());
        } catch (Exception e) {
            // the publish that follows fails and is retried; the next connection declares again
            LOG.error("RabbitMQ bridge could not declare its exchanges and queues: {}", e.toString());
        }
    }

    /** Declares what {@code declared} describes; what the broker has already stays as it is (declaring is idempotent). */
    void declare(Channel channel, BridgeDeclarations declared) throws IOException {
        channel.exchangeDeclare(exchanges.cloudEvents(), "topic", true);
        if (!declared.of(MessageFormat.LEGACY).isEmpty()) {
            channel.exchangeDeclare(exchanges.legacy(), "topic", true);
        }
        channel.exchangeDeclare(exchanges.deadLetters(), "direct", true);
        for (BridgeConsumer consumer : declared.consumers()) {
            channel.queueDeclare(consumer.deadLetterQueue(), true, false, false, null);
            channel.queueBind(consumer.deadLetterQueue(), exchanges.deadLetters(), consumer.queue());
            channel.queueDeclare(consumer.queue(), true, false, false, Map.of(
                    "x-dead-letter-exchange", exchanges.deadLetters(),
                    "x-dead-letter-routing-key", consumer.queue()));
        }
        for (Binding binding : bindings(declared)) {
            channel.queueBind(binding.queue(), binding.exchange(), binding.key());
        }
        LOG.debug("RabbitMQ bridge declared {} consumer queues", declared.consumers().size());
    }

    /**
     * Live reload: removes the bindings {@code before} declared that {@code after} does not. Queues are never
     * deleted: what waits in a queue no longer declared stays there for its consumer (or an operator) to take.
     */
    List<Binding> unbindStale(Channel channel, BridgeDeclarations before, BridgeDeclarations after)
            throws IOException {
        Set<Binding> stale = bindings(before);
        stale.removeAll(bindings(after));
        for (Binding binding : stale) {
            channel.queueUnbind(binding.queue(), binding.exchange(), binding.key());
        }
        return List.copyOf(stale);
    }

    private Set<Binding> bindings(BridgeDeclarations declared) {
        Set<Binding> bindings = new LinkedHashSet<>();
        for (BridgeConsumer consumer : declared.consumers()) {
            for (BindingKey key : consumer.bindings()) {
                bindings.add(new Binding(consumer.queue(), exchanges.of(consumer.format()), key.pattern()));
            }
        }
        return bindings;
    }
}
