package dev.herald.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.herald.http.JsonBodies;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** What a send needs to know of an endpoint (its secrets as stored: encrypted, see {@link SecretCipher}). */
record Endpoint(UUID id, URI url, String format, Map<String, String> headers, Integer rateLimit, String secret,
        String previousSecret, Instant previousSecretUntil) {

    /** From a row holding the endpoint's columns (the dispatcher's claim returns them). */
    static Endpoint of(ResultSet row) {
        try {
            Timestamp until = row.getTimestamp("previous_secret_until");
            return new Endpoint(row.getObject("endpoint_id", UUID.class), URI.create(row.getString("url")),
                    row.getString("format"), headers(row.getString("headers")), (Integer) row.getObject("rate_limit"),
                    row.getString("secret"), row.getString("previous_secret"), until == null ? null : until.toInstant());
        } catch (SQLException e) {
            throw new IllegalStateException("endpoint columns missing from the claim", e);
        }
    }

    /**
     * Parsed custom headers by their stored JSON: each claim returns every claimed endpoint's columns, which were
     * read into a tree for every endpoint of every claim.
     */
    private static final Cache<String, Map<String, String>> PARSED = Caffeine.newBuilder().maximumSize(1_000).build();

    private static Map<String, String> headers(String json) {
        return PARSED.get(json, Endpoint::parse);
    }

    private static Map<String, String> parse(String json) {
        Map<String, String> headers = new LinkedHashMap<>();
        try {
            JsonNode node = JsonBodies.MAPPER.readTree(json);
            node.fields().forEachRemaining(field -> headers.put(field.getKey(), field.getValue().asText()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("endpoint headers are not JSON", e);
        }
        return Collections.unmodifiableMap(headers);
    }
}
