package dev.herald.bridge.rabbitmq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.UUID;

/** The parts of a Kafka CloudEvent the bridge routes and labels messages by; {@code cloudEvent} is the raw JSON. */
record BridgedEvent(UUID id, String type, String aggregateType, String aggregateId, int aggregateVersion,
        Instant time, JsonNode data, byte[] cloudEvent) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @throws IllegalArgumentException when the record is not a Herald CloudEvent */
    static BridgedEvent parse(byte[] value) {
        try {
            JsonNode event = JSON.readTree(value);
            return new BridgedEvent(UUID.fromString(required(event, "id")), required(event, "type"),
                    event.path("aggregatetype").asText(""), required(event, "subject"),
                    event.path("aggregateversion").asInt(0), Instant.parse(required(event, "time")),
                    event.path("data"), value);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a Herald CloudEvent: " + e.getMessage(), e);
        }
    }

    private static String required(JsonNode event, String attribute) {
        JsonNode value = event.get(attribute);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("attribute " + attribute + " missing");
        }
        return value.asText();
    }
}
