package dev.herald.command;

import java.util.Locale;

/**
 * A command not taken now, with nothing of it kept: the client may send it again later. Said in the domain's
 * words; the HTTP edge ({@code intake.ProblemResponder}) makes it a 503 with Retry-After.
 */
public final class Unavailable extends RuntimeException {

    /** Why the command could not be taken. */
    public enum Reason {
        /** Too many commands are waiting for a lane. */
        OVERLOADED,
        /** The database could not take or commit the batch. */
        DATABASE_UNAVAILABLE,
        /** Kafka did not acknowledge the event in time. */
        BROKER_UNAVAILABLE,
        /** The command was not published within its deadline. */
        PUBLISH_TIMEOUT,
        /** The connection broke during the commit; the lane rolled what it could back. */
        OUTCOME_UNKNOWN,
        /** The hub is stopping. */
        SHUTTING_DOWN,
        /** The request's thread was interrupted (the hub is stopping). */
        INTERRUPTED;

        /** The problem type the edge answers with: PUBLISH_TIMEOUT -> publish-timeout. */
        public String type() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;

    public Unavailable(Reason reason, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
