package dev.herald.bridge.rabbitmq;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.LegacyTimestamp;
import java.util.Locale;

/** The body a consumer's queue receives: the CloudEvent as published to Kafka, or seed 000's legacy envelope. */
enum MessageFormat {

    /** The structured CloudEvent, byte for byte as on Kafka. */
    CLOUDEVENTS("application/cloudevents+json"),
    /** {@code {"event_type":"CustomerCreated","timestamp":"2024-12-17T12:34:56Z","data":{...}}} */
    LEGACY("application/json");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String contentType;

    MessageFormat(String contentType) {
        this.contentType = contentType;
    }

    String contentType() {
        return contentType;
    }

    byte[] render(BridgedEvent event, LegacyNames names) {
        if (this == CLOUDEVENTS) {
            return event.cloudEvent();
        }
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("event_type", names.of(event.type()));
        envelope.put("timestamp", LegacyTimestamp.of(event.time()));
        envelope.set("data", event.data());
        try {
            return JSON.writeValueAsBytes(envelope);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot render the legacy envelope of " + event.id(), e);
        }
    }

    @JsonCreator
    static MessageFormat of(String name) {
        return valueOf(name.strip().toUpperCase(Locale.ROOT));
    }
}
