package dev.herald.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.intake.JsonBodies;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** What a send needs to know of an endpoint. */
record Endpoint(UUID id, URI url, String format, Map<String, String> headers, Integer rateLimit, String secret,
        String previousSecret, Instant previousSecretUntil) {

    /** The endpoints with these ids, by id. */
    static Map<UUID, Endpoint> load(Connection connection, Collection<UUID> ids) throws SQLException {
        Map<UUID, Endpoint> endpoints = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT id, url, format, headers, rate_limit, secret, previous_secret, previous_secret_until
                  FROM webhook_endpoints WHERE id = ANY (?)""")) {
            select.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    Timestamp until = row.getTimestamp("previous_secret_until");
                    Endpoint endpoint = new Endpoint(row.getObject("id", UUID.class), URI.create(row.getString("url")),
                            row.getString("format"), headers(row.getString("headers")),
                            (Integer) row.getObject("rate_limit"), row.getString("secret"),
                            row.getString("previous_secret"), until == null ? null : until.toInstant());
                    endpoints.put(endpoint.id(), endpoint);
                }
            }
        }
        return endpoints;
    }

    private static Map<String, String> headers(String json) {
        Map<String, String> headers = new LinkedHashMap<>();
        try {
            JsonNode node = JsonBodies.MAPPER.readTree(json);
            node.fields().forEachRemaining(field -> headers.put(field.getKey(), field.getValue().asText()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("endpoint headers are not JSON", e);
        }
        return headers;
    }
}
