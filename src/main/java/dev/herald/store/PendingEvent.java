package dev.herald.store;

import dev.herald.store.EventStore.OutgoingEvent;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.UUID;

/** An event waiting in the outbox, as the relay claims it; {@code traceparent}: the context stored with it. */
public record PendingEvent(long seq, UUID eventId, String eventType, String topic, String aggregateId,
        String envelope, OffsetDateTime occurredAt, String traceparent) {

    public OutgoingEvent outgoing() {
        return new OutgoingEvent(eventId, topic, aggregateId, envelope.getBytes(StandardCharsets.UTF_8), traceparent);
    }
}
