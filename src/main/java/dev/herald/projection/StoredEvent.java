package dev.herald.projection;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One event of the store as a projection reads it, in commit order: {@code txId} and {@code seq} are its place in
 * that order (and a projection's position); {@code envelope} (the CloudEvent JSON) is null for an event of a type
 * the projection does not consume, which it only steps over; {@code schemaVersion} is the version of its data's schema
 * it was stored (and published) with; {@code traceparent} the trace context it was produced in (null for events
 * stored before Herald kept it).
 */
record StoredEvent(String txId, long seq, UUID eventId, String type, String aggregateType, String aggregateId,
        int aggregateVersion, OffsetDateTime occurredAt, int schemaVersion, String envelope, String traceparent) {

    boolean consumed() {
        return envelope != null;
    }
}
