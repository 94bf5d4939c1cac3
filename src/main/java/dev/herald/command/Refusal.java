package dev.herald.command;

import java.util.Map;

/**
 * A command the store will not apply, and why, in the domain's words. The HTTP edge turns it into a problem with
 * its status ({@code intake.ProblemResponder}); the store knows nothing of HTTP.
 *
 * @param facts what the client can act on (e.g. {@code currentVersion}), carried into the problem
 */
public final class Refusal extends RuntimeException {

    /** Why a command was refused. */
    public enum Reason {
        /** The aggregate the command names has no events. */
        UNKNOWN_AGGREGATE,
        /** If-Match named another version than the aggregate's. */
        VERSION_MISMATCH,
        /** The command's steps returned no row: it does not apply to the aggregate as it is. */
        STATE_CONFLICT,
        /** The Idempotency-Key came before with another request. */
        IDEMPOTENCY_KEY_REUSED,
        /** The database refused the command's steps (a constraint, a bad value): the cause is its SQLException. */
        DATABASE_REFUSED,
        /** Kafka refused the command's event for good (too large, not allowed). */
        EVENT_REFUSED
    }

    private final Reason reason;
    private final Map<String, Object> facts;

    public Refusal(Reason reason, String detail, Map<String, Object> facts) {
        this(reason, detail, facts, null);
    }

    public Refusal(Reason reason, String detail, Map<String, Object> facts, Throwable cause) {
        super(detail, cause, false, false);
        this.reason = reason;
        this.facts = Map.copyOf(facts);
    }

    public Refusal(Reason reason, String detail) {
        this(reason, detail, Map.of());
    }

    public Reason reason() {
        return reason;
    }

    public Map<String, Object> facts() {
        return facts;
    }
}
