package dev.herald.bridge.rabbitmq;

/** The broker will never take this message (unroutable for a declared consumer, too large): dead-letter it. */
public final class UndeliverableEventException extends RuntimeException {

    private final String reason;

    UndeliverableEventException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Short tag for metrics: unroutable, too-large, refused. */
    public String reason() {
        return reason;
    }
}
