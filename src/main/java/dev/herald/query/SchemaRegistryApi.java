package dev.herald.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.contract.EventSchemas;
import dev.herald.contract.EventSchemas.EventType;
import dev.herald.http.Problem;
import org.apache.camel.Message;

/**
 * The event schema registry over HTTP (routes/schemas.camel.yaml): {@code list} answers the types with their
 * versions and compatibility modes, {@code schema} one version's JSON Schema as written (404 when the type or the
 * version is unknown). Each leaves JSON in the body for the route's {@code marshal: json}.
 */
public final class SchemaRegistryApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventSchemas schemas;

    public SchemaRegistryApi(EventSchemas schemas) {
        this.schemas = schemas;
    }

    /** {@code {"types": [{"type", "compatibility", "versions": [1, 2], "latest"}]}}, by type name. */
    public JsonNode list() {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode types = answer.putArray("types");
        for (EventType type : schemas.types().values()) {
            ObjectNode entry = types.addObject().put("type", type.name())
                    .put("compatibility", type.compatibility().label());
            type.versions().keySet().forEach(entry.putArray("versions")::add);
            entry.put("latest", type.versions().lastKey());
        }
        return answer;
    }

    /** The schema of {@code {type}} version {@code {version}} (path parameters); 404 problem when there is none. */
    public JsonNode schema(Message in) {
        String type = in.getHeader("type", String.class);
        String version = in.getHeader("version", String.class);
        JsonNode document = version == null || !version.matches("[1-9][0-9]{0,8}") ? null
                : schemas.version(type, Integer.parseInt(version)).map(EventSchemas.Version::document).orElse(null);
        if (document == null) {
            throw Problem.notFound("no schema of event type " + type + " version " + version
                    + " (GET /api/schemas lists them)");
        }
        return document;
    }
}
