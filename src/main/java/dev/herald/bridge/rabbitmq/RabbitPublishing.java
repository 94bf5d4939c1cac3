package dev.herald.bridge.rabbitmq;

import dev.herald.bridge.rabbitmq.Topology.Exchanges;
import dev.herald.trace.Traces;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.SpanContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.ReturnedMessage;

/**
 * The bridge's publishing steps (bean {@code rabbitPublishing} in routes/rabbitmq.camel.yaml): a Kafka record
 * becomes one publication per message format in use, each an AMQP message, confirmed and checked for a return.
 */
public final class RabbitPublishing {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitPublishing.class);
    static final String PUBLICATION = "HeraldRabbitPublication";
    static final String PARTITION = "HeraldRabbitPartition";
    private static final String STARTED = "HeraldRabbitStarted";
    private static final String SPAN = "HeraldRabbitSpan";

    private final Supplier<BridgeDeclarations> declarations;
    private final Exchanges exchanges;
    private final ReturningRabbitComponent component;
    private final RabbitRefusals refusals;
    private final BridgeMetrics metrics;
    private final int maxMessageSize;
    private final Traces traces;
    private volatile Receivers receivers;

    RabbitPublishing(Supplier<BridgeDeclarations> declarations, Exchanges exchanges,
            ReturningRabbitComponent component, RabbitRefusals refusals, BridgeMetrics metrics, int maxMessageSize,
            Traces traces) {
        this.traces = traces;
        this.declarations = declarations;
        this.exchanges = exchanges;
        this.component = component;
        this.refusals = refusals;
        this.metrics = metrics;
        this.maxMessageSize = maxMessageSize;
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
            try (Traces.Logged logged = Traces.logged(Traces.parse(header(in, "traceparent", null), null))) {
                LOG.error("RabbitMQ bridge skips the record at offset {} of {}: {}",
                        in.getHeader(KafkaConstants.OFFSET), partition, e.getMessage());
            }
            return List.of();
        }
        String correlationId = header(in, "correlation-id", event.aggregateId());
        List<Publication> publications = new ArrayList<>(2);
        for (MessageFormat format : MessageFormat.values()) {
            List<BridgeConsumer> receivers = receivers(format, event);
            if (format == MessageFormat.CLOUDEVENTS || !receivers.isEmpty()) {
                publications.add(new Publication(exchanges.of(format), format, event, receivers, correlationId,
                        header(in, "traceparent", null), header(in, "tracestate", null)));
            }
        }
        return publications;
    }

    /**
     * The declared consumers of this format whose bindings match the event: matched once per (format, type) for the
     * declarations in force (a live reload brings new ones, and a new memo), not per event.
     */
    List<BridgeConsumer> receivers(MessageFormat format, BridgedEvent event) {
        BridgeDeclarations current = declarations.get();
        Receivers memo = receivers;
        if (memo == null || memo.declarations != current) {
            memo = new Receivers(current);
            receivers = memo;
        }
        return memo.of(format, event.type());
    }

    /** The consumers each (format, event type) goes to, under one set of declarations. */
    private static final class Receivers {

        /** Event types are declared, so few; records of unknown types beyond this are matched each time. */
        private static final int MOST_TYPES = 1_000;
        private final BridgeDeclarations declarations;
        private final Map<MessageFormat, Map<String, List<BridgeConsumer>>> byFormat = new EnumMap<>(MessageFormat.class);

        Receivers(BridgeDeclarations declarations) {
            this.declarations = declarations;
            for (MessageFormat format : MessageFormat.values()) {
                byFormat.put(format, new ConcurrentHashMap<>());
            }
        }

        List<BridgeConsumer> of(MessageFormat format, String type) {
            Map<String, List<BridgeConsumer>> byType = byFormat.get(format);
            List<BridgeConsumer> known = byType.get(type);
            if (known != null) {
                return known;
            }
            List<BridgeConsumer> matched = declarations.of(format).stream().filter(c -> c.wants(type)).toList();
            if (byType.size() < MOST_TYPES) {
                byType.put(type, matched);
            }
            return matched;
        }
    }

    /** Route step (per publication): the AMQP message, with its exchange and routing key as properties. */
    public void prepare(Exchange exchange) {
        Publication publication = exchange.getMessage().getBody(Publication.class);
        exchange.setProperty(PUBLICATION, publication);
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.setProperty("rabbitExchange", publication.exchange());
        exchange.setProperty("rabbitRoutingKey", publication.event().type());
        BridgedEvent event = publication.event();
        // the message's span continues the Kafka record's trace (an operator's retry: the context the event was
        // stored with), open until the confirm, a refusal or a dead letter; its context goes with the message
        SpanContext parent = continued(publication);
        Span span = parent.isValid() ? traces.start("rabbitmq publish " + publication.exchange(), SpanKind.PRODUCER,
                parent) : Span.getInvalid();
        if (span.isRecording()) {
            span.setAttribute(Traces.DESTINATION, publication.exchange());
            span.setAttribute(Traces.EVENT_ID, event.id().toString());
            exchange.setProperty(SPAN, span);
        }
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setBody(message(event, publication.format(), publication.correlationId(), span.getSpanContext()));
    }

    /** The context a publication continues: its Kafka record's, else the one its event was stored with. */
    private static SpanContext continued(Publication publication) {
        return Traces.ofRecord(publication.traceparent(), publication.tracestate(),
                () -> new String(publication.event().cloudEvent(), StandardCharsets.UTF_8));
    }

    /**
     * The context of the publication an exchange carries, for its log lines' trace id: its span's, else the one it
     * continues (tracing off); invalid when it has none.
     */
    static SpanContext traced(Exchange exchange) {
        Span span = exchange.getProperty(SPAN, Span.class);
        if (span != null) {
            return span.getSpanContext();
        }
        Publication publication = exchange.getProperty(PUBLICATION, Publication.class);
        return publication == null ? SpanContext.getInvalid() : continued(publication);
    }

    /** The publication's span ends (a no-op when it has none or it ended): {@code failure} (or null) recorded. */
    static void spanEnded(Exchange exchange, Throwable failure) {
        Span span = exchange.getProperty(SPAN, Span.class);
        if (span != null) {
            exchange.removeProperty(SPAN);
            if (failure != null) {
                Traces.failed(span, failure);
            }
            span.end();
        }
    }

    /**
     * The publication's span ends unconfirmed: its batch was not confirmed as a whole, and the event is published
     * again one message at a time (a span of its own).
     */
    static void spanFellBack(Exchange exchange, String why) {
        Span span = exchange.getProperty(SPAN, Span.class);
        if (span != null) {
            exchange.removeProperty(SPAN);
            span.addEvent("batch not confirmed, published again alone: " + why);
            span.end();
        }
    }

    /** A failure the bridge retries: an exception event on the publication's span, which stays open. */
    static void spanRetrying(Exchange exchange, Throwable failure) {
        Span span = exchange.getProperty(SPAN, Span.class);
        if (span != null && failure != null) {
            span.recordException(failure);
        }
    }

    /**
     * The AMQP message of the event in this format: its body (refused when larger than herald.rabbitmq.max-message-size)
     * and properties, with {@code trace}'s context in its headers (none when invalid). Built here, once, as the
     * message both paths publish as it is: the batch's channel, and spring-rabbitmq's producer, which sends a
     * {@code Message} body without converting it. Cheaper than ten Camel headers per message, their case-insensitive
     * map and their conversion to AMQP properties (docs/performance.md, the bridge's profile).
     */
    org.springframework.amqp.core.Message message(BridgedEvent event, MessageFormat format, String correlationId,
            SpanContext trace) {
        byte[] body = format.render(event, declarations.get().legacyNames());
        if (body.length > maxMessageSize) {
            throw new UndeliverableEventException("too-large", "message of " + body.length
                    + " bytes is larger than herald.rabbitmq.max-message-size (" + maxMessageSize + ")");
        }
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(event.id().toString());
        properties.setTimestamp(Date.from(event.time()));
        properties.setType(event.type());
        properties.setContentType(format.contentType());
        properties.setContentLength(body.length);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setCorrelationId(correlationId);
        properties.setAppId("herald");
        properties.setHeader("aggregate_type", event.aggregateType());
        properties.setHeader("aggregate_id", event.aggregateId());
        properties.setHeader("aggregate_version", event.aggregateVersion());
        Traces.inject(trace, properties::setHeader);
        return new org.springframework.amqp.core.Message(body, properties);
    }

    /** Route step after the confirmed publish: a return means the broker routed it nowhere. */
    public void confirmed(Exchange exchange) {
        Publication publication = exchange.getProperty(PUBLICATION, Publication.class);
        ReturnedMessage returned = component.takeReturn(publication.exchange(), publication.event().id().toString());
        if (returned != null) {
            // a dead letter when a declared consumer should have had it (its span ends with that failure); who
            // wants it now: a live reload may have unbound the consumers it was made for since
            refusals.unrouted(exchange, publication.withReceivers(receivers(publication.format(),
                    publication.event())), returned);
            spanEnded(exchange, null);
            return;
        }
        spanEnded(exchange, null);
        RabbitDeliveries.confirmed(exchange, publication);
        long started = exchange.getProperty(STARTED, Long.class);
        metrics.confirmed(publication.receivers(), exchange.getProperty(PARTITION, String.class),
                Duration.ofNanos(System.nanoTime() - started));
    }

    private static String header(Message in, String name, String fallback) {
        String value = in.getHeader(name, String.class);
        return value == null || value.isBlank() ? fallback : value;
    }
}
