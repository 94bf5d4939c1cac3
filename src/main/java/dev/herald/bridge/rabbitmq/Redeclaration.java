package dev.herald.bridge.rabbitmq;

import com.rabbitmq.client.Channel;
import dev.herald.bridge.rabbitmq.Topology.Binding;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * Live reload of the consumers file ({@code herald.dev.reload}): the file is read as the start reads it, what it
 * adds is declared on the broker (queues, bindings), the bridge's steps switch to it, and only then are the
 * bindings it dropped removed. A consumer the file leaves unchanged keeps its queue and bindings throughout, and
 * the Kafka route is not touched, so nothing in flight to it is lost or sent twice. A file that does not read, or
 * that the broker refuses (a queue already there with other arguments, the broker unreachable), is refused: the
 * bridge keeps the declarations it had. Declaring on the broker needs code: Camel's spring-rabbitmq declares
 * queues only for a consumer endpoint, and the bridge consumes none (the legacy systems do).
 */
final class Redeclaration {

    private static final Logger LOG = LoggerFactory.getLogger(Redeclaration.class);

    private final AtomicReference<BridgeDeclarations> current;
    private final Topology topology;
    private final CachingConnectionFactory connections;
    private final BridgeMetrics metrics;

    Redeclaration(AtomicReference<BridgeDeclarations> current, Topology topology, CachingConnectionFactory connections,
            BridgeMetrics metrics) {
        this.current = current;
        this.topology = topology;
        this.connections = connections;
        this.metrics = metrics;
    }

    synchronized void reload(Path file) {
        BridgeDeclarations next;
        try {
            next = BridgeDeclarations.read(file);
        } catch (IllegalStateException unreadable) {
            throw refused(file, unreadable.getMessage(), unreadable);
        }
        BridgeDeclarations before = current.get();
        // the shared connection, a channel of our own: a broker error closes this channel only
        try (Channel channel = connections.createConnection().getDelegate().createChannel()) {
            try {
                topology.declare(channel, next);
            } catch (Exception broker) {
                throw refused(file, "RabbitMQ refused a declaration: " + reason(broker), broker);
            }
            metrics.declared(next.consumers());
            current.set(next);
            List<Binding> removed;
            try {
                removed = topology.unbindStale(channel, before, next);
            } catch (Exception broker) {
                // the previous declarations again: what the file added on the broker stays but routes to no step
                current.set(before);
                throw refused(file, "RabbitMQ did not remove a binding: " + reason(broker), broker);
            }
            LOG.info("Live reload: {} applied, RabbitMQ consumers {} (before: {}){}", file, summary(next),
                    summary(before), removed.isEmpty() ? "" : "; unbound " + removed);
        } catch (IllegalArgumentException refusal) {
            throw refusal;
        } catch (Exception unreachable) {
            throw refused(file, "RabbitMQ unreachable: " + reason(unreachable), unreachable);
        }
    }

    private static List<String> summary(BridgeDeclarations declarations) {
        return declarations.consumers().stream().map(c -> c.name() + " " + c.queue() + " "
                + c.bindings().stream().map(BindingKey::pattern).toList()).toList();
    }

    private static IllegalArgumentException refused(Path file, String why, Exception cause) {
        return new IllegalArgumentException("refused " + file + ", the previous RabbitMQ declarations keep serving: "
                + why, cause);
    }

    /** The broker's own words (a channel close names the reply code and text) where the failure carries them. */
    private static String reason(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
