package dev.herald.event;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonCloudEventData;
import io.cloudevents.jackson.JsonFormat;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Herald's event contract: CloudEvents 1.0, structured JSON. {@code subject} and the {@code partitionkey}
 * extension carry the aggregate id (the Kafka record key); {@code aggregatetype} and
 * {@code aggregateversion} let consumers order and deduplicate without parsing {@code data}.
 */
public final class EventEnvelopes {

    public static final String CONTENT_TYPE = JsonFormat.CONTENT_TYPE;

    private final URI source;
    private final String publicUrl;
    private final EventFormat format = new JsonFormat();

    /** {@code publicUrl}: the hub's address for resolvable {@code dataschema} URLs; empty keeps the URN form. */
    public EventEnvelopes(String source, String publicUrl) {
        this.source = URI.create(source);
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    /**
     * {@code traceparent}: the CloudEvents distributed-tracing extension, the W3C context of the span that produced
     * the event (null: none).
     */
    public byte[] serialize(UUID eventId, String eventType, int schemaVersion, String aggregateType,
            String aggregateId, int aggregateVersion, OffsetDateTime time, JsonNode data, String traceparent) {
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(eventId.toString())
                .withSource(source)
                .withType(eventType)
                .withSubject(aggregateId)
                .withTime(time)
                .withDataSchema(publicUrl.isEmpty() ? dataSchema(eventType, schemaVersion)
                        : URI.create(publicUrl + "/api/schemas/" + eventType + "/" + schemaVersion))
                .withData("application/json", JsonCloudEventData.wrap(data))
                .withExtension("partitionkey", aggregateId)
                .withExtension("aggregatetype", aggregateType)
                .withExtension("aggregateversion", aggregateVersion);
        if (traceparent != null) {
            builder.withExtension("traceparent", traceparent);
        }
        CloudEvent event = builder.build();
        return format.serialize(event);
    }

    /** e.g. urn:herald:schema:customer.created:v1 (also the {@code $id} of the shipped event schemas) */
    public static URI dataSchema(String eventType, int schemaVersion) {
        return URI.create("urn:herald:schema:" + eventType + ":v" + schemaVersion);
    }
}
