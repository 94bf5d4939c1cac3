package dev.herald.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A PATCH of an endpoint as the SET list of one UPDATE: only the fields the body names change; {@code enabled}
 * also clears or sets why it was disabled.
 */
record EndpointPatch(List<String> assignments, List<Object> values, boolean enabling) {

    static EndpointPatch of(JsonNode body, EndpointChecks checks) {
        List<String> assignments = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        if (body.has("url")) {
            assignments.add("url = ?");
            values.add(checks.allowedUrl(body.get("url").asText()).toString());
        }
        for (String column : List.of("description", "aggregate_type", "aggregate_id", "format")) {
            if (body.has(column)) {
                assignments.add(column + " = ?");
                values.add(EndpointRows.text(body, column));
            }
        }
        if (body.has("rate_limit")) {
            assignments.add("rate_limit = ?");
            values.add(body.hasNonNull("rate_limit") ? body.get("rate_limit").asInt() : null);
        }
        if (body.has("headers")) {
            assignments.add("headers = CAST(? AS jsonb)");
            values.add(EndpointChecks.headers(body.get("headers")));
        }
        if (body.has("event_types")) {
            assignments.add("event_types = string_to_array(?, chr(31))");
            values.add(String.join("\u001f", EndpointRows.eventTypes(body)));
        }
        boolean enabling = body.path("enabled").asBoolean(false);
        if (body.has("enabled")) {
            assignments.add(enabling ? "enabled = true, disabled_reason = NULL, failing_since = NULL"
                    : "enabled = false, disabled_reason = 'disabled by an operator'");
        }
        assignments.add("updated_at = now()");
        return new EndpointPatch(assignments, values, enabling);
    }

    String sql() {
        return "UPDATE webhook_endpoints SET " + String.join(", ", assignments) + " WHERE id = ?";
    }
}
