package dev.herald.bridge.webhook;

import java.util.UUID;

/** A delivery this instance claimed: what the dispatcher sends and the recorder records. */
record Claimed(long id, UUID endpointId, UUID eventId, String eventType, String aggregateId, String envelope,
        int attempts) {
}
