package dev.herald.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.http.JsonBodies;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One row change as {@code herald:change} read it, kept on the exchange before anything can refuse it, so a refused
 * change is dead-lettered with its identity (source, LSN, table, row key) and its row, and an operator's retry can
 * give it to the source's route again as Debezium gave it ({@link #asDebeziumGave()}).
 *
 * @param lsn   its place in the WAL (Debezium's source metadata; a snapshot row has one too, not used as identity)
 * @param table schema-qualified, {@code public.legacy_customers}
 * @param key   the row's id column, null when the row has none
 * @param row   the row after the change, the before image for a delete; null when the change has no row image
 * @param type  the event type, null for an unknown operation
 */
public record Change(String source, String operation, Object lsn, String table, String key, JsonNode row,
        String type) {

    /** The exchange property holding it. */
    public static final String PROPERTY = "HeraldChange";

    /** Its identity in the inbox: {@code <lsn>/<schema.table>/<key>}, a snapshot row's {@code snapshot/...}. */
    public String position() {
        return ("r".equals(operation) ? "snapshot" : String.valueOf(lsn)) + "/" + table + "/"
                + (key == null ? "" : key);
    }

    /** The inbox's source column of its source's changes. */
    public String inboxSource() {
        return "cdc:" + source;
    }

    /** Stable per change: the key of its dead letter, which keys events by UUID (as a reaction's inbound event). */
    public UUID uuid() {
        return UUID.nameUUIDFromBytes((inboxSource() + "\n" + position()).getBytes(StandardCharsets.UTF_8));
    }

    /** The dead letter's originalEvent: the identity, then the row. */
    public String json() {
        ObjectNode json = JsonBodies.MAPPER.createObjectNode();
        json.put("source", source);
        json.put("operation", operation);
        if (lsn instanceof Number number) {
            json.put("lsn", number.longValue());
        } else {
            json.put("lsn", lsn == null ? null : String.valueOf(lsn));
        }
        json.put("table", table);
        json.put("key", key);
        json.put("position", position());
        json.set("row", row);
        return json.toString();
    }

    /** The change as a dead letter's originalEvent kept it. */
    static Change of(JsonNode json) {
        JsonNode lsn = json.path("lsn");
        return new Change(json.path("source").asText(), json.path("operation").asText(),
                lsn.isNumber() ? (Object) lsn.asLong() : lsn.isNull() ? null : lsn.asText(), json.path("table").asText(),
                json.path("key").isNull() ? null : json.path("key").asText(),
                json.path("row").isMissingNode() ? null : json.get("row"), null);
    }

    /**
     * The headers and body Camel's Debezium consumer gives a change, for an operator's retry through the source's
     * route: the operation, the source metadata (schema, table, lsn), the row as body or, for a delete, as before.
     */
    Map<String, Object> asDebeziumGave() {
        Map<String, Object> metadata = new HashMap<>();
        int dot = table.indexOf('.');
        metadata.put("schema", table.substring(0, Math.max(dot, 0)));
        metadata.put("table", table.substring(dot + 1));
        metadata.put("lsn", lsn);
        Map<String, Object> headers = new HashMap<>();
        headers.put(ChangeEndpoint.OPERATION, operation);
        headers.put(ChangeEndpoint.SOURCE, metadata);
        if ("d".equals(operation) && row != null) {
            headers.put(ChangeEndpoint.BEFORE, row);
        }
        return headers;
    }
}
