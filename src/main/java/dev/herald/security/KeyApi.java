package dev.herald.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.http.JsonBodies;
import dev.herald.http.Problem;
import dev.herald.store.EventStore;
import dev.herald.http.SqlProblems;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.Exchange;

/** POST /api/keys (the key is in the answer, and nowhere else ever) and DELETE /api/keys/{id} (revoke). */
public final class KeyApi {

    private final DataSource dataSource;
    private final ApiKeys keys;
    private final AccessControl access;
    private final int retryAfterSeconds;

    public KeyApi(DataSource dataSource, ApiKeys keys, AccessControl access, int retryAfterSeconds) {
        this.dataSource = dataSource;
        this.retryAfterSeconds = retryAfterSeconds;
        this.keys = keys;
        this.access = access;
    }

    /** After the route's unmarshal and schema check: {"name": "...", "scopes": ["commands", "read"]}. */
    public void create(Exchange exchange) throws SQLException {
        JsonNode body = exchange.getIn().getBody(JsonNode.class);
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        body.get("scopes").forEach(scope -> scopes.add(Scope.parse(scope.asText())));
        String id = EventStore.newId().toString();
        String key;
        try (Connection connection = dataSource.getConnection()) {
            key = keys.create(connection, id, body.get("name").asText(), scopes);
        } catch (SQLException e) {
            throw SqlProblems.of(e, retryAfterSeconds);
        }
        access.refresh();
        ObjectNode answer = JsonBodies.MAPPER.createObjectNode();
        answer.put("id", id);
        answer.put("name", body.get("name").asText());
        answer.set("scopes", body.get("scopes"));
        answer.put("key", key);
        JsonBodies.answer(exchange, 201, answer).setHeader("Location", "/api/keys/" + id);
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
        JsonBodies.answer(exchange, 204, null);
    }
}
