package dev.herald.command;

import java.util.UUID;

/** What a command produced, as answered to the client (and replayed for a repeated Idempotency-Key). */
public record CommandResult(int status, String location, UUID commandId, String aggregateType, String aggregateId,
        int version, UUID eventId, String eventType, String topic, String publication, boolean replayed) {

    /** The exchange property holding the result for the answer step. */
    public static final String PROPERTY = "HeraldCommandResult";

    public CommandResult withPublication(int newStatus, String newPublication) {
        return new CommandResult(newStatus, location, commandId, aggregateType, aggregateId, version, eventId,
                eventType, topic, newPublication, replayed);
    }
}
