package dev.herald.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.intake.JsonBodies;
import dev.herald.intake.Problem;
import dev.herald.store.EventStore;
import dev.herald.store.SqlProblems;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** POST /api/keys (the key is in the answer, and nowhere else ever) and DELETE /api/keys/{id} (revoke). */
public final class KeyApi {

    private final DataSource dataSource;
    private final ApiKeys keys;
    private final AccessControl access;

    public KeyApi(DataSource dataSource, ApiKeys keys, AccessControl access) {
        this.dataSource = dataSource;
        this.keys = keys;
        this.access = access;
    }

    /** After intake.read and the schema check: {"name": "...", "scopes": ["commands", "read"]}. */
    public void create(Exchange exchange) throws SQLException, JsonProcessingException {
        JsonNode body = JsonBodies.MAPPER.readTree(exchange.getIn().getBody(String.class));
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        body.get("scopes").forEach(scope -> scopes.add(Scope.parse(scope.asText())));
        String id = EventStore.newId().toString();
        String key;
        try (Connection connection = dataSource.getConnection()) {
            key = keys.create(connection, id, body.get("name").asText(), scopes);
        } catch (SQLException e) {
            throw SqlProblems.of(e, 5);
        }
        access.refresh();
        ObjectNode answer = JsonBodies.MAPPER.createObjectNode();
        answer.put("id", id);
        answer.put("name", body.get("name").asText());
        answer.set("scopes", body.get("scopes"));
        answer.put("key", key);
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setHeader("Location", "/api/keys/" + id);
        out.setBody(answer.toString());
    }

    public void revoke(Exchange exchange) throws SQLException {
        String id = exchange.getIn().getHeader("id", String.class);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement(
                        "UPDATE api_keys SET revoked_at = now() WHERE key_id::text = ? AND revoked_at IS NULL")) {
            update.setString(1, id);
            if (update.executeUpdate() == 0) {
                throw Problem.notFound("key " + id + " does not exist or was revoked already");
            }
        }
        access.refresh();
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        out.setBody(null);
    }
}
