package dev.herald.reaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.command.Inbound;
import dev.herald.http.HeraldStep;
import dev.herald.trace.Traces;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Component;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * {@code herald:inbound?reaction=<name>&failure=skip|block}: the first step of a reaction, reading the Kafka record
 * as a CloudEvent 1.0, in structured mode (the record's value is the event's JSON) or binary mode (attributes in {@code ce_*} headers, the
 * value is the data). Either way the body becomes the event's structured JSON, so a reaction's mapping reads
 * {@code .type}, {@code .data.order_id} alike, and the exchange carries its identity ({@link Inbound}). Camel has no
 * CloudEvents data format; the CloudEvents SDK checks the attributes the specification requires. A record that
 * is not a CloudEvent is an {@link InboundRejected}. It also marks the exchange with the reaction's failure policy
 * (exchange property {@code reactionFailure}), which the route configuration {@code reactions} reads: {@code skip}
 * dead-letters an event refused for good and goes on, {@code block} retries it, its partition waiting.
 */
public final class InboundEndpoint extends HeraldStep {

    /** Kafka's header prefix of a binary-mode CloudEvent's attributes (CloudEvents Kafka protocol binding). */
    private static final String BINARY_PREFIX = "ce_";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFormat FORMAT = new JsonFormat();
    /** The event's structured JSON as read, kept for its dead letter whatever the mapping made of the body. */
    static final String EVENT_PROPERTY = "HeraldInboundEvent";
    /** The event's {@code traceparent} extension (CloudEvents distributed tracing), when it has one. */
    static final String TRACEPARENT_PROPERTY = "HeraldInboundTraceparent";

    /** The exchange property the route configuration {@code reactions} reads. */
    static final String FAILURE_PROPERTY = "reactionFailure";
    /** The exchange property naming the reaction, for its meters and dead letters. */
    static final String REACTION_PROPERTY = "reaction";

    private final ReactionMeters meters;
    private String reaction;
    private String failure = "skip";

    InboundEndpoint(String uri, Component component, ReactionMeters meters) {
        super(uri, component, "inbound");
        this.meters = meters;
    }

    /** Checked when the route is created: a misspelt policy fails the start. */
    public void check() {
        if (reaction == null || reaction.isBlank()) {
            throw new IllegalArgumentException("herald:inbound needs the option reaction (the reaction's name)");
        }
        if (!failure.equals("skip") && !failure.equals("block")) {
            throw new IllegalArgumentException("herald:inbound option failure must be skip or block, not " + failure);
        }
    }

    public String getReaction() {
        return reaction;
    }

    public void setReaction(String reaction) {
        this.reaction = reaction;
    }

    public void setFailure(String failure) {
        this.failure = failure;
    }

    @Override
    protected void apply(Exchange exchange) {
        meters.received(reaction);
        exchange.setProperty(REACTION_PROPERTY, reaction);
        exchange.setProperty(FAILURE_PROPERTY, failure);
        Message in = exchange.getIn();
        byte[] value = in.getBody(byte[].class);
        CloudEvent event = in.getHeader(BINARY_PREFIX + "specversion") != null ? binary(in, value) : structured(value);
        JsonNode structured;
        try {
            structured = MAPPER.readTree(FORMAT.serialize(event));
        } catch (IOException | RuntimeException e) {
            throw new InboundRejected("the CloudEvent's data cannot be read as JSON: " + e.getMessage(), e);
        }
        exchange.setProperty(Inbound.PROPERTY, new Inbound(reaction, event.getSource().toString(),
                event.getId(), event.getType()));
        exchange.setProperty(EVENT_PROPERTY, structured.toString());
        Object traceparent = event.getExtension(Traces.TRACEPARENT);
        if (traceparent != null) {
            exchange.setProperty(TRACEPARENT_PROPERTY, traceparent.toString());
        }
        in.setBody(structured);
    }

    private static CloudEvent structured(byte[] value) {
        if (value == null || value.length == 0) {
            throw new InboundRejected("not a CloudEvent: the record has no value and no ce_specversion header");
        }
        try {
            return FORMAT.deserialize(value);
        } catch (RuntimeException e) {
            throw new InboundRejected("not a CloudEvent (structured JSON mode, nor binary mode with ce_ headers): "
                    + e.getMessage(), e);
        }
    }

    private static CloudEvent binary(Message in, byte[] value) {
        try {
            CloudEventBuilder builder = CloudEventBuilder.fromSpecVersion(
                    SpecVersion.parse(text(in.getHeader(BINARY_PREFIX + "specversion"))));
            for (Map.Entry<String, Object> header : in.getHeaders().entrySet()) {
                String name = header.getKey().toLowerCase(Locale.ROOT);
                if (name.startsWith(BINARY_PREFIX) && !name.equals(BINARY_PREFIX + "specversion")) {
                    builder.withContextAttribute(name.substring(BINARY_PREFIX.length()), text(header.getValue()));
                }
            }
            Object contentType = in.getHeader("content-type");
            if (contentType != null) {
                builder.withDataContentType(text(contentType));
            }
            if (value != null && value.length > 0) {
                builder.withData(value);
            }
            return builder.build();
        } catch (RuntimeException e) {
            throw new InboundRejected("not a CloudEvent (binary mode): " + e.getMessage(), e);
        }
    }

    /** Kafka header values arrive as bytes. */
    private static String text(Object header) {
        return header instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(header);
    }
}
