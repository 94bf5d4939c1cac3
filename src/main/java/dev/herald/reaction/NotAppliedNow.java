package dev.herald.reaction;

/**
 * The command could not be applied now (database or Kafka down, the hub overloaded or stopping): every reaction
 * retries the event, its partition waiting, however its failure policy reads.
 */
public final class NotAppliedNow extends RuntimeException {

    public NotAppliedNow(String reason, Throwable cause) {
        super(reason, cause);
    }
}
