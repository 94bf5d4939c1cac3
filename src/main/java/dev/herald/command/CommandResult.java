package dev.herald.command;

import java.util.UUID;

/**
 * What a command produced, as confirmed to the client (and replayed for a repeated Idempotency-Key).
 *
 * @param confirmed   how the command was confirmed: published (sync) or pending (outbox); a replay keeps the first
 * @param publication where its event is now
 */
public record CommandResult(Publication confirmed, String location, UUID commandId, String aggregateType,
        String aggregateId, int version, UUID eventId, String eventType, String topic, Publication publication,
        boolean replayed) {

    /** The exchange property holding the result for the answer step. */
    public static final String PROPERTY = "HeraldCommandResult";

    public CommandResult withPublication(Publication now) {
        return new CommandResult(now, location, commandId, aggregateType, aggregateId, version, eventId, eventType,
                topic, now, replayed);
    }
}
