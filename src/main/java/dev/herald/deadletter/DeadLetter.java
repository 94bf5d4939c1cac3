package dev.herald.deadletter;

import java.util.UUID;

/**
 * One event a stage gave up on, in seed 004's shape plus where it failed. {@code stage} is {@code kafka},
 * {@code rabbitmq}, {@code webhook} or {@code sink:<route id>}; {@code destination} the topic, exchange or
 * endpoint; {@code originalEvent} the CloudEvent JSON exactly as it was to be sent.
 */
public record DeadLetter(String stage, String destination, UUID eventId, String eventType, String aggregateId,
        String originalEvent, String failureReason, String errorClass, int failureCount) {

    public static DeadLetter of(String stage, String destination, UUID eventId, String eventType,
            String aggregateId, String originalEvent, Throwable failure, int failureCount) {
        String reason = failure == null ? "unknown" : String.valueOf(failure.getMessage());
        String errorClass = failure == null ? "unknown" : failure.getClass().getName();
        return new DeadLetter(stage, destination, eventId, eventType, aggregateId, originalEvent, reason, errorClass,
                failureCount);
    }
}
