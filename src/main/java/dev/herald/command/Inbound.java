package dev.herald.command;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * An event of another service that a reaction turns into a command (docs/reactions.md). CloudEvents identify an
 * event by {@code source} and {@code id} together; the command carries them so the store records the event in
 * the inbox, in the command's own transaction, and a redelivery is a replay of the first answer.
 *
 * @param reaction the reaction (its route id) that applied it
 * @param type     the event's CloudEvents type
 */
public record Inbound(String reaction, String source, String id, String type) {

    /** The exchange property holding it while the command route applies it in-process. */
    public static final String PROPERTY = "HeraldInbound";

    /** Stable per (source, id): the event's key in the dead-letter store, which keys events by UUID. */
    public UUID uuid() {
        return UUID.nameUUIDFromBytes((source + "\n" + id).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The command's Idempotency-Key: the command record (written with the state change and the event) makes a
     * second delivery of the same event a replay, with no second state change or event.
     */
    public String idempotencyKey() {
        return "inbound:" + uuid();
    }
}
