package dev.herald.bridge.rabbitmq;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;

/** The parts of a Kafka CloudEvent the bridge routes and labels messages by; {@code cloudEvent} is the raw JSON. */
record BridgedEvent(UUID id, String type, String aggregateType, String aggregateId, int aggregateVersion,
        Instant time, byte[] cloudEvent) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The top-level attributes read as they stream by, {@code data} skipped: the CloudEvents format publishes the
     * record's bytes as they are, so only the legacy format needs the data ({@link #data()}), and building its tree
     * for every event was the bridge's largest allocation of its own (docs/performance.md).
     *
     * @throws IllegalArgumentException when the record is not a Herald CloudEvent
     */
    static BridgedEvent parse(byte[] value) {
        String id = null;
        String type = null;
        String aggregateType = "";
        String subject = null;
        int aggregateVersion = 0;
        String time = null;
        try (JsonParser parser = JSON.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                switch (name) {
                    case "id" -> id = text(parser, token);
                    case "type" -> type = text(parser, token);
                    case "aggregatetype" -> aggregateType = token == JsonToken.VALUE_STRING ? parser.getText() : "";
                    case "subject" -> subject = text(parser, token);
                    case "aggregateversion" -> aggregateVersion = token.isNumeric() ? parser.getIntValue()
                            : token == JsonToken.VALUE_STRING ? parseInt(parser.getText()) : 0;
                    case "time" -> time = text(parser, token);
                    default -> parser.skipChildren();
                }
            }
            return new BridgedEvent(UUID.fromString(required(id, "id")), required(type, "type"), aggregateType,
                    required(subject, "subject"), aggregateVersion, Instant.parse(required(time, "time")), value);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a Herald CloudEvent: " + e.getMessage(), e);
        }
    }

    /** The event's {@code data} (a missing node when it has none), read from the raw CloudEvent when asked for. */
    JsonNode data() {
        try {
            return JSON.readTree(cloudEvent).path("data");
        } catch (IOException e) {
            throw new UncheckedIOException("the CloudEvent of " + id + " no longer reads", e);
        }
    }

    /** A string attribute's value; null (then refused by {@link #required}) for any other JSON value. */
    private static String text(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return parser.getText();
        }
        parser.skipChildren();
        return null;
    }

    private static int parseInt(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String required(String value, String attribute) {
        if (value == null) {
            throw new IllegalArgumentException("attribute " + attribute + " missing");
        }
        return value;
    }
}
