package dev.herald.bridge.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.herald.bridge.rabbitmq.Topology.Exchanges;
import dev.herald.deadletter.DeadLetter;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.http.Problem;
import dev.herald.settings.Settings;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory.ConfirmType;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.amqp.rabbit.connection.PublisherCallbackChannelImpl;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.core.task.support.ExecutorServiceAdapter;

/**
 * The RabbitMQ bridge's steps, called by routes/rabbitmq.camel.yaml (bean {@code rabbitBridge}): each Kafka
 * event becomes one message per format in use, published with confirms to that format's topic exchange;
 * the Kafka offset is committed once every message of the event is confirmed. See docs/rabbitmq.md.
 */
public final class RabbitBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitBridge.class);
    static final String PUBLICATION = "HeraldRabbitPublication";
    static final String PARTITION = "HeraldRabbitPartition";
    static final String STARTED = "HeraldRabbitStarted";
    static final String RETURNED = "HeraldRabbitReturned";
    /** Qpid returns right after its nack; RabbitMQ never nacks an unroutable message */
    private static final Duration RETURN_AFTER_NACK = Duration.ofSeconds(2);

    private final BridgeDeclarations declarations;
    private final Exchanges exchanges;
    private final CachingConnectionFactory connections;
    private final ReturningRabbitComponent component;
    private final BridgeMetrics metrics;
    private final DeadLetterStore deadLetters;
    private final int maxMessageSize;
    private final KafkaLag lag;
    private CamelContext camel;
    private String confirmTimeout;
    private ProducerTemplate operatorRetries;

    private RabbitBridge(BridgeDeclarations declarations, Exchanges exchanges, CachingConnectionFactory connections,
            BridgeMetrics metrics, DeadLetterStore deadLetters, int maxMessageSize, KafkaLag lag) {
        this.declarations = declarations;
        this.exchanges = exchanges;
        this.connections = connections;
        this.component = new ReturningRabbitComponent(connections);
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.maxMessageSize = maxMessageSize;
        this.lag = lag;
    }

    /**
     * Binds what the bridge's routes use: the {@code spring-rabbitmq} component (mandatory publishing), the
     * connection factory {@code rabbitConnectionFactory}, and the beans {@code rabbitBridge} and
     * {@code rabbitBridgeRetrying}. {@code url} is the broker's: herald.rabbitmq.url, or the embedded broker's,
     * which the hub starts (and stops after the bridge).
     */
    public static RabbitBridge install(CamelContext camel, Settings settings, String url, String kafkaBrokers,
            MeterRegistry meters, DeadLetterStore deadLetters) {
        boolean enabled = Boolean.parseBoolean(settings.require("herald.rabbitmq.enabled"));
        // the declarations first: a broken file stops the start before anything is running
        BridgeDeclarations declarations = enabled
                ? BridgeDeclarations.read(Path.of(settings.require("herald.rabbitmq.consumers-file")))
                : new BridgeDeclarations(List.of(), new LegacyNames(Map.of()));
        Exchanges exchanges = new Exchanges(settings.require("herald.rabbitmq.exchange"),
                settings.require("herald.rabbitmq.legacy-exchange"),
                settings.require("herald.rabbitmq.dead-letter-exchange"));
        BridgeMetrics metrics = new BridgeMetrics(meters, declarations.consumers());
        CachingConnectionFactory connections = connectionFactory(url.isEmpty() ? "amqp://127.0.0.1" : url,
                new Topology(declarations, exchanges), metrics);
        KafkaLag lag = new KafkaLag(kafkaBrokers, settings.require("herald.rabbitmq.group"));
        RabbitBridge bridge = new RabbitBridge(declarations, exchanges, connections, metrics, deadLetters,
                settings.getInt("herald.rabbitmq.max-message-size"), lag);
        bridge.camel = camel;
        bridge.confirmTimeout = settings.require("herald.rabbitmq.confirm-timeout");
        deadLetters.onRetry("rabbitmq", bridge::redeliver);
        camel.getRegistry().bind("spring-rabbitmq", bridge.component);
        camel.getRegistry().bind("rabbitConnectionFactory", connections);
        camel.getRegistry().bind("rabbitBridge", bridge);
        camel.getRegistry().bind("rabbitBridgeRetrying", (Processor) bridge::retrying);
        if (enabled) {
            LOG.info("RabbitMQ bridge to {} (exchanges {} and {}): {}", URI.create(url).getHost() + ":"
                    + URI.create(url).getPort(), exchanges.cloudEvents(), exchanges.legacy(), declarations.consumers()
                    .stream().map(c -> c.name() + " (" + c.format().name().toLowerCase() + ", queue " + c.queue()
                            + ", " + c.bindings().stream().map(BindingKey::pattern).toList() + ")").toList());
        }
        return bridge;
    }

    /** Reads a consumers file as the start does, throwing what would stop it (live reload checks an edit). */
    public static void checkDeclarations(Path file) {
        BridgeDeclarations.read(file);
    }

    /**
     * Publisher confirms (SIMPLE: the producer waits for each confirm) and returns, handled on the connection's
     * own thread so a return is recorded before the confirm that follows it is seen.
     */
    private static CachingConnectionFactory connectionFactory(String url, ConnectionListener topology,
            BridgeMetrics metrics) {
        CachingConnectionFactory factory = new CachingConnectionFactory(URI.create(url));
        factory.setPublisherConfirmType(ConfirmType.SIMPLE);
        factory.setPublisherReturns(true);
        ExecutorServiceAdapter sameThread = new ExecutorServiceAdapter(new SyncTaskExecutor());
        factory.setPublisherChannelFactory((channel, executor) -> new PublisherCallbackChannelImpl(channel, sameThread));
        factory.setConnectionNameStrategy(f -> "herald-rabbitmq-bridge");
        factory.addConnectionListener(topology);
        factory.addConnectionListener(connection -> connection.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                LOG.warn("RabbitMQ blocks the bridge's publishing: {}", reason);
                metrics.blocked(true);
            }

            @Override
            public void handleUnblocked() {
                LOG.info("RabbitMQ unblocked the bridge's publishing");
                metrics.blocked(false);
            }
        }));
        return factory;
    }

    /** Route step: the messages one Kafka record becomes (the CloudEvents exchange always gets one). */
    public List<Publication> publications(Exchange exchange) {
        Message in = exchange.getMessage();
        String partition = in.getHeader(KafkaConstants.TOPIC) + "-" + in.getHeader(KafkaConstants.PARTITION);
        exchange.setProperty(PARTITION, partition);
        BridgedEvent event;
        try {
            event = BridgedEvent.parse(in.getBody(byte[].class));
        } catch (IllegalArgumentException e) {
            // not Herald's (someone else wrote to the topic): nothing a consumer could use; logged and counted
            metrics.failed("unreadable", null);
            LOG.error("RabbitMQ bridge skips the record at offset {} of {}: {}", in.getHeader(KafkaConstants.OFFSET),
                    partition, e.getMessage());
            return List.of();
        }
        String correlationId = header(in, "correlation-id", event.aggregateId());
        List<Publication> publications = new ArrayList<>(2);
        for (MessageFormat format : MessageFormat.values()) {
            List<BridgeConsumer> receivers = declarations.of(format).stream().filter(c -> c.wants(event.type()))
                    .toList();
            if (format == MessageFormat.CLOUDEVENTS || !receivers.isEmpty()) {
                publications.add(new Publication(exchanges.of(format), format, event, receivers, correlationId,
                        header(in, "traceparent", null), header(in, "tracestate", null)));
            }
        }
        return publications;
    }

    /** Route step (per publication): the AMQP message, with its exchange and routing key as properties. */
    public void prepare(Exchange exchange) {
        Publication publication = exchange.getMessage().getBody(Publication.class);
        exchange.setProperty(PUBLICATION, publication);
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.setProperty("rabbitExchange", publication.exchange());
        exchange.setProperty("rabbitRoutingKey", publication.event().type());
        byte[] body = publication.format().render(publication.event(), declarations.legacyNames());
        if (body.length > maxMessageSize) {
            throw new UndeliverableEventException("too-large", "message of " + body.length
                    + " bytes is larger than herald.rabbitmq.max-message-size (" + maxMessageSize + ")");
        }
        BridgedEvent event = publication.event();
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(SpringRabbitMQConstants.MESSAGE_ID, event.id().toString());
        out.setHeader(SpringRabbitMQConstants.TIMESTAMP, Date.from(event.time()));
        out.setHeader(SpringRabbitMQConstants.TYPE, event.type());
        out.setHeader(SpringRabbitMQConstants.CONTENT_TYPE, publication.format().contentType());
        out.setHeader(SpringRabbitMQConstants.DELIVERY_MODE, MessageDeliveryMode.PERSISTENT);
        out.setHeader(SpringRabbitMQConstants.CORRELATION_ID, publication.correlationId());
        out.setHeader(SpringRabbitMQConstants.APP_ID, "herald");
        out.setHeader("aggregate_type", event.aggregateType());
        out.setHeader("aggregate_id", event.aggregateId());
        out.setHeader("aggregate_version", event.aggregateVersion());
        if (publication.traceparent() != null) {
            out.setHeader("traceparent", publication.traceparent());
        }
        if (publication.tracestate() != null) {
            out.setHeader("tracestate", publication.tracestate());
        }
        out.setBody(body);
    }

    /** Route step after the confirmed publish: a return means the broker routed it nowhere. */
    public void confirmed(Exchange exchange) {
        Publication publication = exchange.getProperty(PUBLICATION, Publication.class);
        ReturnedMessage returned = component.takeReturn(publication.exchange(), publication.event().id().toString());
        if (returned != null) {
            unrouted(exchange, publication, returned);
            return;
        }
        long started = exchange.getProperty(STARTED, Long.class);
        metrics.confirmed(publication.receivers(), exchange.getProperty(PARTITION, String.class),
                Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * onException predicate: the broker refused this very message for good, so sending it again cannot help:
     * it closed the channel with 406 PRECONDITION_FAILED (e.g. larger than its max_message_size), or it nacked
     * the message and returned it as unroutable (what Qpid does instead of RabbitMQ's return-then-ack).
     */
    public boolean refusedForGood(Exchange exchange) throws InterruptedException {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        AMQP.Channel.Close close = channelClose(failure);
        if (close != null && close.getReplyCode() == AMQP.PRECONDITION_FAILED) {
            return true;
        }
        Publication publication = exchange.getProperty(PUBLICATION, Publication.class);
        // camel-spring-rabbitmq reports a nack as java.util.concurrent.TimeoutException (a late confirm is an
        // AmqpTimeoutException)
        if (publication == null || !(failure instanceof java.util.concurrent.TimeoutException)) {
            return false;
        }
        ReturnedMessage returned = component.awaitReturn(publication.exchange(), publication.event().id().toString(),
                RETURN_AFTER_NACK);
        exchange.setProperty(RETURNED, returned);
        return returned != null;
    }

    /** onException step for what {@link #refusedForGood} found. */
    public void refused(Exchange exchange) throws SQLException {
        Publication publication = exchange.getProperty(PUBLICATION, Publication.class);
        ReturnedMessage returned = exchange.getProperty(RETURNED, ReturnedMessage.class);
        if (returned != null) {
            unrouted(exchange, publication, returned);
        } else {
            deadLetter(exchange, publication, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class),
                    "refused");
        }
    }

    /** onException step: the broker will never take this message; the shared dead-letter store keeps it. */
    public void deadLetter(Exchange exchange) throws SQLException {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        deadLetter(exchange, exchange.getProperty(PUBLICATION, Publication.class), failure,
                failure instanceof UndeliverableEventException u ? u.reason() : "refused");
    }

    /**
     * Routed nowhere: a declared consumer binds this type, so its queue or binding is missing (dead letter);
     * or nobody declared wants it (the CloudEvents exchange gets every event), which is no failure.
     */
    private void unrouted(Exchange exchange, Publication publication, ReturnedMessage returned) {
        if (publication.receivers().isEmpty()) {
            metrics.unrouted(exchange.getProperty(PARTITION, String.class));
            return;
        }
        UndeliverableEventException failure = new UndeliverableEventException("unroutable", "returned by "
                + publication.exchange() + " (" + returned.getReplyCode() + " " + returned.getReplyText()
                + ") although consumers " + publication.receivers().stream().map(BridgeConsumer::name).toList()
                + " bind " + publication.event().type());
        try {
            deadLetter(exchange, publication, failure, failure.reason());
        } catch (SQLException e) {
            throw new IllegalStateException("could not dead-letter " + publication.event().id(), e);
        }
    }

    private void deadLetter(Exchange exchange, Publication publication, Throwable failure, String reason)
            throws SQLException {
        BridgedEvent event = publication.event();
        deadLetters.record(DeadLetter.of("rabbitmq", publication.exchange(), event.id(), event.type(),
                event.aggregateId(), new String(event.cloudEvent(), StandardCharsets.UTF_8), failure,
                exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) + 1));
        metrics.failed(reason, null);
        metrics.givenUp(exchange.getProperty(PARTITION, String.class));
    }

    /**
     * An operator's retry of a {@code rabbitmq} dead letter (inside the operator's transaction): the event,
     * read back from the event table, is published again to the exchange it failed on, with the same
     * message_id, and must be confirmed and routed; otherwise the retry fails and the dead letter stays open.
     */
    private void redeliver(Connection transaction, UUID eventId, String exchangeName) throws SQLException {
        BridgedEvent event;
        try (PreparedStatement select = transaction.prepareStatement("SELECT envelope FROM events WHERE event_id = ?")) {
            select.setObject(1, eventId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw Problem.conflict("not-retriable", "event " + eventId + " is no longer in the event table");
                }
                event = BridgedEvent.parse(row.getString(1).getBytes(StandardCharsets.UTF_8));
            }
        }
        MessageFormat format = exchangeName.equals(exchanges.legacy()) ? MessageFormat.LEGACY : MessageFormat.CLOUDEVENTS;
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(new Publication(exchangeName, format, event, declarations.of(format).stream()
                .filter(c -> c.wants(event.type())).toList(), event.aggregateId(), null, null));
        try {
            prepare(exchange);
        } catch (UndeliverableEventException e) {
            throw Problem.conflict("not-retriable", e.getMessage());
        }
        Exchange sent = operatorRetries().send("spring-rabbitmq:" + exchangeName + "?routingKey=" + event.type()
                + "&confirm=enabled&confirmTimeout=" + confirmTimeout, exchange);
        String messageId = event.id().toString();
        ReturnedMessage returned;
        try {
            returned = sent.getException() instanceof java.util.concurrent.TimeoutException
                    ? component.awaitReturn(exchangeName, messageId, RETURN_AFTER_NACK)
                    : component.takeReturn(exchangeName, messageId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (returned != null) {
            throw Problem.conflict("unroutable", "returned by " + exchangeName + " (" + returned.getReplyCode() + " "
                    + returned.getReplyText() + "): no queue is bound to " + event.type());
        }
        if (sent.getException() != null) {
            throw Problem.unavailable("broker-unavailable", "RabbitMQ did not confirm the message: "
                    + sent.getException().getMessage(), 5, sent.getException());
        }
    }

    private synchronized ProducerTemplate operatorRetries() {
        if (operatorRetries == null) {
            operatorRetries = camel.createProducerTemplate();
        }
        return operatorRetries;
    }

    /** Before each retry of a failed publish: counted, the partition shown as paused. */
    private void retrying(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Publication publication = exchange.getProperty(PUBLICATION, Publication.class);
        LOG.warn("RabbitMQ bridge retries {} {} of {} to {} (attempt {}): {}", publication == null ? "?"
                : publication.event().type(), publication == null ? "?" : publication.event().id(),
                exchange.getProperty(PARTITION), publication == null ? "?" : publication.exchange(),
                exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER), String.valueOf(failure));
        metrics.failed(failure == null ? "unknown" : failure.getClass().getSimpleName(),
                exchange.getProperty(PARTITION, String.class));
        AMQP.Channel.Close close = channelClose(failure);
        if (close != null && close.getReplyCode() == AMQP.NOT_FOUND) {
            // an exchange was deleted under us: a new connection declares the topology again
            connections.resetConnection();
        }
    }

    /** Timer step: the consumer group's Kafka lag and each consumer queue's depth, for the gauges. */
    public void measure() {
        try {
            metrics.kafkaLag(lag.measure());
        } catch (Exception e) {
            LOG.debug("RabbitMQ bridge could not measure its Kafka lag: {}", e.getMessage());
        }
        RabbitAdmin admin = new RabbitAdmin(connections);
        for (BridgeConsumer consumer : declarations.consumers()) {
            try {
                QueueInformation queue = admin.getQueueInfo(consumer.queue());
                if (queue != null) {
                    metrics.queueDepth(consumer.name(), queue.getMessageCount());
                }
            } catch (RuntimeException e) {
                LOG.debug("RabbitMQ bridge could not read the depth of {}: {}", consumer.queue(), e.getMessage());
            }
        }
    }

    private static AMQP.Channel.Close channelClose(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException signal && !signal.isHardError()
                    && signal.getReason() instanceof AMQP.Channel.Close close) {
                return close;
            }
        }
        return null;
    }

    private static String header(Message in, String name, String fallback) {
        String value = in.getHeader(name, String.class);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** After the bridge's routes stopped (nothing publishes any more); the hub stops an embedded broker later. */
    @Override
    public void close() {
        try {
            lag.close();
        } finally {
            connections.destroy();
        }
    }
}
