package dev.herald.command;

import java.util.Locale;

/** How a command's event reaches Kafka (docs/guarantees.md): the {@code mode} option of herald:command and herald:change. */
public enum PublishMode {
    /** In the lane's Kafka transaction, before the database commit's answer: 201, or 503 and nothing kept. */
    SYNC,
    /** Committed, answered 202; the relay publishes. */
    OUTBOX,
    /** Committed first, then sent without a Kafka transaction: 201 once acknowledged, else 202 and the relay. */
    EAGER;

    /** The option's value; anything else fails the route's creation, naming {@code step}'s option. */
    public static PublishMode of(String step, String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(step + " option mode must be sync, outbox or eager, not " + value);
        }
    }
}
