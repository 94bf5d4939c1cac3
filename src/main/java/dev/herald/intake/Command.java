package dev.herald.intake;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.UUID;

/**
 * One accepted request, validated and ready to apply.
 *
 * @param expectedVersion from If-Match, or null
 * @param parameters      what the declaration's SQL may refer to: body fields, path parameters, id
 */
public record Command(CommandDeclaration declaration, UUID commandId, String aggregateId, JsonNode body,
        Integer expectedVersion, String idempotencyKey, String requestHash, Map<String, Object> parameters) {

    /** Identifies the aggregate across types: {@code customer/01a2...}. */
    public String aggregateKey() {
        return declaration.aggregateType() + "/" + aggregateId;
    }

    public String location() {
        return declaration.resource() + "/" + aggregateId;
    }
}
