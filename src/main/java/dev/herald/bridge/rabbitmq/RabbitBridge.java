package dev.herald.bridge.rabbitmq;

import dev.herald.bridge.rabbitmq.Topology.Exchanges;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.settings.RabbitMq;
import dev.herald.settings.Settings;
import dev.herald.trace.Traces;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * Wires the RabbitMQ bridge whose flow routes/rabbitmq.camel.yaml shows: each Kafka event becomes one message per
 * format in use ({@link RabbitPublishing}), published with confirms to that format's topic exchange, a partition's
 * share of a poll at once with one wait for its confirms ({@link RabbitBatches}); the Kafka offset is committed once
 * every message is confirmed; {@link RabbitRefusals} decides what a failure
 * costs. See docs/rabbitmq.md. Live reload applies a changed consumers file ({@link #reload}). Closed by the hub after
 * the bridge's routes stopped.
 */
public final class RabbitBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitBridge.class);

    private final AtomicReference<BridgeDeclarations> current;
    private final CachingConnectionFactory connections;
    private final RabbitGauges gauges;
    // null while the bridge is off: a changed consumers file is then only read
    private final Redeclaration redeclaration;
    private BridgeDeclarations describedFrom;
    private Declared described;

    private RabbitBridge(AtomicReference<BridgeDeclarations> current, CachingConnectionFactory connections,
            RabbitGauges gauges, Redeclaration redeclaration) {
        this.current = current;
        this.connections = connections;
        this.gauges = gauges;
        this.redeclaration = redeclaration;
    }

    /**
     * Binds what the bridge's routes use: the {@code spring-rabbitmq} component (mandatory publishing), the
     * connection factory {@code rabbitConnectionFactory}, and the steps {@code rabbitPublishing},
     * {@code rabbitRefusals}, {@code rabbitBatches}, {@code rabbitDeliveries}, {@code rabbitBridgeRetrying}, {@code rabbitGauges} and {@code rabbitReplays}. {@code url} is the broker's:
     * herald.rabbitmq.url, or the embedded broker's, which the hub starts (and stops after the bridge).
     */
    public static RabbitBridge install(CamelContext camel, Settings settings, String url, String kafkaBrokers,
            MeterRegistry meters, DeadLetterStore deadLetters, Traces traces) {
        boolean enabled = settings.get(RabbitMq.ENABLED);
        // the declarations first: a broken file stops the start before anything is running
        BridgeDeclarations declarations = enabled
                ? BridgeDeclarations.read(Path.of(settings.get(RabbitMq.CONSUMERS_FILE)))
                : new BridgeDeclarations(List.of(), new LegacyNames(Map.of()));
        // what every step reads at each use: a live reload of the consumers file replaces it (Redeclaration)
        AtomicReference<BridgeDeclarations> current = new AtomicReference<>(declarations);
        Exchanges exchanges = new Exchanges(settings.get(RabbitMq.EXCHANGE), settings.get(RabbitMq.LEGACY_EXCHANGE),
                settings.get(RabbitMq.DEAD_LETTER_EXCHANGE));
        BridgeMetrics metrics = new BridgeMetrics(meters, declarations.consumers());
        Topology topology = new Topology(current::get, exchanges);
        CachingConnectionFactory connections = RabbitConnections.open(url.isEmpty() ? "amqp://127.0.0.1" : url,
                topology, metrics);
        ReturningRabbitComponent component = new ReturningRabbitComponent(connections);
        RabbitRefusals refusals = new RabbitRefusals(component, connections, metrics, deadLetters);
        RabbitPublishing publishing = new RabbitPublishing(current::get, exchanges, component, refusals, metrics,
                settings.get(RabbitMq.MAX_MESSAGE_SIZE), traces);
        RabbitDeliveries deliveries = new RabbitDeliveries(meters, settings.get(RabbitMq.DELIVERY_LOG_RETENTION));
        RabbitRedelivery redelivery = new RabbitRedelivery(camel, publishing, exchanges, component,
                settings.get(RabbitMq.CONFIRM_TIMEOUT), deliveries);
        deadLetters.onRetry("rabbitmq", redelivery::redeliver);
        RabbitGauges gauges = new RabbitGauges(current::get, connections, metrics,
                new KafkaLag(kafkaBrokers, settings.get(RabbitMq.CONSUMER_GROUP)));
        Registry registry = camel.getRegistry();
        registry.bind("spring-rabbitmq", component);
        registry.bind("rabbitConnectionFactory", connections);
        registry.bind("rabbitPublishing", publishing);
        registry.bind("rabbitRefusals", refusals);
        registry.bind("rabbitBatches", new RabbitBatches(camel, publishing, component, metrics,
                settings.get(RabbitMq.CONFIRM_TIMEOUT), settings.get(RabbitMq.BATCHED_CONFIRMS)));
        registry.bind("rabbitDeliveries", deliveries);
        registry.bind("rabbitBridgeRetrying", (Processor) refusals::retrying);
        registry.bind("rabbitGauges", gauges);
        registry.bind("rabbitReplays", new RabbitReplays(current::get, publishing, component));
        if (enabled) {
            LOG.info("RabbitMQ bridge to {} (exchanges {} and {}): {}", URI.create(url).getHost() + ":"
                    + URI.create(url).getPort(), exchanges.cloudEvents(), exchanges.legacy(), declarations.consumers()
                    .stream().map(c -> c.name() + " (" + c.format().name().toLowerCase() + ", queue " + c.queue()
                            + ", " + c.bindings().stream().map(BindingKey::pattern).toList() + ")").toList());
        }
        return new RabbitBridge(current, connections, gauges,
                enabled ? new Redeclaration(current, topology, connections, metrics) : null);
    }

    /** A consumer bridges/rabbitmq.yaml declares, as the AsyncAPI document describes it. */
    public record DeclaredConsumer(String name, String queue, String deadLetterQueue, boolean legacy,
            List<String> bindings) {

        /** Whether one of its binding keys takes this routing key (an event type). */
        public boolean wants(String routingKey) {
            return bindings.stream().anyMatch(key -> new BindingKey(key).matches(routingKey));
        }
    }

    /** What a consumers file declares: its consumers, and the legacy {@code event_type} of an event type. */
    public record Declared(List<DeclaredConsumer> consumers, java.util.function.UnaryOperator<String> legacyName) {
    }

    /** What the consumers file declares now (the same object until a live reload changes it). */
    public synchronized Declared declared() {
        BridgeDeclarations now = current.get();
        if (now != describedFrom) {
            described = new Declared(now.consumers().stream().map(c -> new DeclaredConsumer(c.name(), c.queue(),
                    c.deadLetterQueue(), c.format() == MessageFormat.LEGACY,
                    c.bindings().stream().map(BindingKey::pattern).toList())).toList(), now.legacyNames()::of);
            describedFrom = now;
        }
        return described;
    }

    /**
     * Live reload of the consumers file: applied on the broker and by the bridge's steps without a restart
     * ({@link Redeclaration}), or refused with an {@link IllegalArgumentException} naming the file and the problem,
     * the previous declarations serving on. While the bridge is off the file is only read, as a start would read it.
     */
    public void reload(Path file) {
        if (savingInProgress(file)) {
            LOG.info("Live reload: {} is gone or empty; the RabbitMQ declarations stay as they are until it is written "
                    + "or the hub restarts", file);
            return;
        }
        if (redeclaration != null) {
            redeclaration.reload(file);
            return;
        }
        try {
            BridgeDeclarations.read(file);
        } catch (IllegalStateException unreadable) {
            throw new IllegalArgumentException("refused " + file + ": " + unreadable.getMessage(), unreadable);
        }
        LOG.info("Live reload: {} reads well; the RabbitMQ bridge is off (herald.rabbitmq.enabled), nothing to apply",
                file);
    }

    /** An editor's truncate-then-write shows an empty file first; a deleted one may be a save in progress. */
    private static boolean savingInProgress(Path file) {
        try {
            return !Files.exists(file) || Files.size(file) == 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** After the bridge's routes stopped (nothing publishes any more); the hub stops an embedded broker later. */
    @Override
    public void close() {
        try {
            gauges.close();
        } finally {
            connections.destroy();
        }
    }
}
