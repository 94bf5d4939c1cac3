package dev.herald.command;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.UUID;

/**
 * One accepted request, validated and ready to apply.
 *
 * @param expectedVersion from If-Match, or null
 * @param parameters      what the command's SQL steps may refer to: body fields, path parameters
 * @param change          the command's steps, run in the lane's transaction (null until the route reaches them)
 * @param traceparent     W3C trace context of the command's publish span: the event carries it (envelope and Kafka
 *                        header); null when untraced
 * @param inbound         the other service's event a reaction applies as this command (recorded in the inbox in
 *                        the command's transaction), or null for a request
 */
public record Command(CommandDeclaration declaration, UUID commandId, String aggregateId, JsonNode body,
        Integer expectedVersion, String idempotencyKey, String requestHash, Map<String, Object> parameters,
        StateChange change, String traceparent, Inbound inbound) {

    /** A command from a request (no inbound event). */
    public Command(CommandDeclaration declaration, UUID commandId, String aggregateId, JsonNode body,
            Integer expectedVersion, String idempotencyKey, String requestHash, Map<String, Object> parameters,
            StateChange change, String traceparent) {
        this(declaration, commandId, aggregateId, body, expectedVersion, idempotencyKey, requestHash, parameters,
                change, traceparent, null);
    }

    /** The exchange property holding the command between the route's steps. */
    public static final String PROPERTY = "HeraldCommand";

    public Command changingStateWith(StateChange steps) {
        return new Command(declaration, commandId, aggregateId, body, expectedVersion, idempotencyKey, requestHash,
                parameters, steps, traceparent, inbound);
    }

    public Command tracedAs(String context) {
        return new Command(declaration, commandId, aggregateId, body, expectedVersion, idempotencyKey, requestHash,
                parameters, change, context, inbound);
    }

    /** Identifies the aggregate across types: {@code customer/01a2...}. */
    public String aggregateKey() {
        return declaration.aggregateType() + "/" + aggregateId;
    }

    public String location() {
        return declaration.resource() + "/" + aggregateId;
    }
}
