package dev.herald.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.http.JsonBodies;
import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/** The webhook_endpoints table as the API and the endpoints file write it, and the view the API answers with. */
final class EndpointRows {

    private EndpointRows() {
    }

    /** {@code secret} as it is to be stored for endpoint {@code id}: the one stored already if it is the same. */
    static String sealedForStorage(Connection connection, SecretCipher secrets, UUID id, String secret)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT secret FROM webhook_endpoints WHERE id = ?")) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                // encryption is randomised: re-sealing an unchanged secret would count as a changed declaration
                if (row.next() && secret.equals(secrets.open(id, row.getString(1)))) {
                    return row.getString(1);
                }
            }
        }
        return secrets.seal(id, secret);
    }

    /**
     * Writes an endpoint as declared (API or YAML file); {@code secret} encrypted. A changed declaration with a
     * known id replaces it (and enables it); an unchanged one leaves it as it is, so a restart does not re-enable
     * an endpoint that answered 410.
     */
    static void upsert(Connection connection, UUID id, URI url, JsonNode body, String headers, String secret,
            String declaredIn) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO webhook_endpoints (id, url, description, event_types, aggregate_type, aggregate_id,
                                               format, headers, rate_limit, enabled, secret, declared_in)
                VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE
                   SET url = excluded.url, description = excluded.description, event_types = excluded.event_types,
                       aggregate_type = excluded.aggregate_type, aggregate_id = excluded.aggregate_id,
                       format = excluded.format, headers = excluded.headers, rate_limit = excluded.rate_limit,
                       enabled = excluded.enabled, secret = excluded.secret, updated_at = now(),
                       disabled_reason = CASE WHEN excluded.enabled THEN NULL ELSE webhook_endpoints.disabled_reason END
                 WHERE (webhook_endpoints.url, webhook_endpoints.description, webhook_endpoints.event_types,
                        webhook_endpoints.aggregate_type, webhook_endpoints.aggregate_id, webhook_endpoints.format,
                        webhook_endpoints.headers, webhook_endpoints.rate_limit, webhook_endpoints.secret)
                       IS DISTINCT FROM (excluded.url, excluded.description, excluded.event_types,
                        excluded.aggregate_type, excluded.aggregate_id, excluded.format, excluded.headers,
                        excluded.rate_limit, excluded.secret)""")) {
            insert.setObject(1, id);
            insert.setString(2, url.toString());
            insert.setString(3, text(body, "description"));
            insert.setArray(4, connection.createArrayOf("text", eventTypes(body).toArray()));
            insert.setString(5, text(body, "aggregate_type"));
            insert.setString(6, text(body, "aggregate_id"));
            insert.setString(7, body.path("format").asText(Payloads.STRUCTURED));
            insert.setString(8, headers);
            insert.setObject(9, body.hasNonNull("rate_limit") ? body.get("rate_limit").asInt() : null);
            insert.setBoolean(10, body.path("enabled").asBoolean(true));
            insert.setString(11, secret);
            insert.setString(12, declaredIn);
            insert.executeUpdate();
        }
    }

    static boolean exists(Connection connection, UUID id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM webhook_endpoints WHERE id = ?")) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /** The endpoint as the API shows it (webhook_endpoint_view: no secrets). */
    static ObjectNode view(Connection connection, UUID id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT data FROM webhook_endpoint_view WHERE id = ?")) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw WebhookEndpoints.notFound(id);
                }
                return (ObjectNode) JsonBodies.MAPPER.readTree(row.getString(1));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static int execute(DataSource dataSource, String sql, Object... parameters) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        }
    }

    static List<String> eventTypes(JsonNode body) {
        List<String> types = new ArrayList<>();
        body.path("event_types").forEach(type -> types.add(type.asText()));
        return types;
    }

    static String text(JsonNode body, String field) {
        return body.hasNonNull(field) ? body.get(field).asText() : null;
    }
}
