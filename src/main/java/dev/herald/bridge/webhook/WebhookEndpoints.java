package dev.herald.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.bridge.webhook.TargetGuard.RefusedTarget;
import dev.herald.http.JsonBodies;
import dev.herald.http.Problem;
import dev.herald.store.EventStore;
import dev.herald.http.SqlProblems;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The writing half of /api/webhooks/endpoints (routes/webhooks.camel.yaml; reads are declared there in SQL):
 * create (the secret is answered once), patch, delete, rotate the secret. Sending deliveries again is
 * {@link WebhookRedeliveries}.
 * Bodies arrive checked against schemas/webhook-endpoint-*.json.
 */
public final class WebhookEndpoints {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Headers the HTTP client owns, and the ones Herald sets itself. */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "connection", "content-length", "expect",
            "upgrade", "content-type", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature");

    private final DataSource dataSource;
    private final TargetGuard guard;
    private final WebhookSettings settings;
    private final Dispatcher dispatcher;
    private final HttpClient handshakeClient;
    private final SecretCipher secrets;

    WebhookEndpoints(DataSource dataSource, TargetGuard guard, WebhookSettings settings, Dispatcher dispatcher,
            SecretCipher secrets) {
        this.dataSource = dataSource;
        this.secrets = secrets;
        this.guard = guard;
        this.settings = settings;
        this.dispatcher = dispatcher;
        this.handshakeClient = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.timeout()).build();
    }

    public void create(Exchange exchange) throws SQLException {
        JsonNode body = body(exchange);
        URI url = allowedUrl(body.get("url").asText());
        String headers = headers(body.path("headers"));
        if (body.path("validate").asBoolean(false)) {
            handshake(url);
        }
        UUID id = EventStore.newId();
        String secret = newSecret();
        try (Connection connection = dataSource.getConnection()) {
            upsert(connection, id, url, body, headers, secrets.seal(id, secret), "api");
            ObjectNode view = view(connection, id);
            view.put("secret", secret);
            JsonBodies.answer(exchange, 201, view).setHeader("Location", "/api/webhooks/endpoints/" + id);
        } catch (SQLException e) {
            throw SqlProblems.of(e, settings.retryAfterSeconds());
        }
    }

    public void patch(Exchange exchange) throws SQLException {
        UUID id = id(exchange, "id");
        JsonNode body = body(exchange);
        List<String> assignments = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        if (body.has("url")) {
            assignments.add("url = ?");
            values.add(allowedUrl(body.get("url").asText()).toString());
        }
        for (String column : List.of("description", "aggregate_type", "aggregate_id", "format")) {
            if (body.has(column)) {
                assignments.add(column + " = ?");
                values.add(text(body, column));
            }
        }
        if (body.has("rate_limit")) {
            assignments.add("rate_limit = ?");
            values.add(body.hasNonNull("rate_limit") ? body.get("rate_limit").asInt() : null);
        }
        if (body.has("headers")) {
            assignments.add("headers = CAST(? AS jsonb)");
            values.add(headers(body.get("headers")));
        }
        if (body.has("event_types")) {
            assignments.add("event_types = string_to_array(?, chr(31))");
            values.add(String.join("\u001f", eventTypes(body)));
        }
        boolean enabling = body.path("enabled").asBoolean(false);
        if (body.has("enabled")) {
            assignments.add(enabling ? "enabled = true, disabled_reason = NULL, failing_since = NULL"
                    : "enabled = false, disabled_reason = 'disabled by an operator'");
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            assignments.add("updated_at = now()");
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE webhook_endpoints SET " + String.join(", ", assignments) + " WHERE id = ?")) {
                for (int i = 0; i < values.size(); i++) {
                    update.setObject(i + 1, values.get(i));
                }
                update.setObject(values.size() + 1, id);
                if (update.executeUpdate() == 0) {
                    throw notFound(id);
                }
            }
            if (enabling) {
                // a re-enabled endpoint gets the full retry schedule for what waited
                try (PreparedStatement reset = connection.prepareStatement("""
                        UPDATE webhook_deliveries SET attempts = 0, next_attempt_at = now()
                         WHERE endpoint_id = ? AND status = 'pending'""")) {
                    reset.setObject(1, id);
                    reset.executeUpdate();
                }
            }
            connection.commit();
            JsonBodies.answer(exchange, 200, view(connection, id));
        } catch (SQLException e) {
            throw SqlProblems.of(e, settings.retryAfterSeconds());
        }
        dispatcher.wake();
    }

    public void delete(Exchange exchange) throws SQLException {
        UUID id = id(exchange, "id");
        if (execute("DELETE FROM webhook_endpoints WHERE id = ?", id) == 0) {
            throw notFound(id);
        }
        Message out = JsonBodies.answer(exchange, 204, null);
        out.setBody(null);
    }

    /** A new secret; the old one keeps signing (next to the new) for herald.webhooks.secret-rotation-overlap. */
    public void rotateSecret(Exchange exchange) throws SQLException {
        UUID id = id(exchange, "id");
        String secret = newSecret();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement rotate = connection.prepareStatement("""
                        UPDATE webhook_endpoints
                           SET previous_secret = secret, secret = ?, updated_at = now(),
                               previous_secret_until = now() + make_interval(secs => ?)
                         WHERE id = ?
                        RETURNING previous_secret_until""")) {
            rotate.setString(1, secrets.seal(id, secret));
            rotate.setDouble(2, settings.secretOverlap().toMillis() / 1000.0);
            rotate.setObject(3, id);
            try (ResultSet row = rotate.executeQuery()) {
                if (!row.next()) {
                    throw notFound(id);
                }
                ObjectNode answer = JsonBodies.MAPPER.createObjectNode();
                answer.put("secret", secret);
                answer.put("previous_secret_valid_until", row.getTimestamp(1).toInstant().toString());
                JsonBodies.answer(exchange, 200, answer);
            }
        }
    }

    /** {@code secret} as it is to be stored for endpoint {@code id}: the one stored already if it is the same. */
    String sealedForStorage(Connection connection, UUID id, String secret) throws SQLException {
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
     * Writes an endpoint as declared (API or YAML file); {@code secret} encrypted. A changed declaration with a known id replaces it
     * (and enables it); an unchanged one leaves it as it is, so a restart does not re-enable an endpoint
     * that answered 410.
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

    URI allowedUrl(String text) {
        try {
            URI url = new URI(text);
            guard.check(url);
            return url;
        } catch (URISyntaxException e) {
            throw Problem.unprocessable("webhook-url-invalid", "not a URL: " + e.getMessage());
        } catch (RefusedTarget e) {
            throw Problem.unprocessable("webhook-target-refused", e.getMessage());
        }
    }

    /** CloudEvents webhook validation (abuse protection): the endpoint must allow our origin. */
    private void handshake(URI url) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(settings.timeout())
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("WebHook-Request-Origin", settings.handshakeOrigin()).build();
        try {
            HttpResponse<Void> response = handshakeClient.send(request, HttpResponse.BodyHandlers.discarding());
            String allowed = response.headers().firstValue("WebHook-Allowed-Origin").orElse("");
            if (response.statusCode() / 100 != 2
                    || !(allowed.equals("*") || allowed.equalsIgnoreCase(settings.handshakeOrigin()))) {
                throw Problem.unprocessable("webhook-handshake-refused", "the endpoint answered the validation "
                        + "request with " + response.statusCode() + " and WebHook-Allowed-Origin '" + allowed + "'");
            }
        } catch (IOException e) {
            throw Problem.unprocessable("webhook-handshake-refused", "the validation request failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String headers(JsonNode headers) {
        if (headers.isMissingNode() || headers.isNull()) {
            return "{}";
        }
        for (Iterator<String> names = headers.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw Problem.unprocessable("webhook-header-reserved", "the header " + name
                        + " is set by Herald or the HTTP client and cannot be configured");
            }
        }
        return headers.toString();
    }

    private static List<String> eventTypes(JsonNode body) {
        List<String> types = new ArrayList<>();
        body.path("event_types").forEach(type -> types.add(type.asText()));
        return types;
    }

    private static String text(JsonNode body, String field) {
        return body.hasNonNull(field) ? body.get(field).asText() : null;
    }

    /** whsec_ + base64 of 32 random bytes, the Standard Webhooks secret format. */
    static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    /** After the route's unmarshal and schema check. */
    private static JsonNode body(Exchange exchange) {
        return exchange.getIn().getBody(JsonNode.class);
    }

    static UUID id(Exchange exchange, String header) {
        String text = exchange.getIn().getHeader(header, String.class);
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw Problem.notFound("no webhook endpoint " + text);
        }
    }

    static Problem notFound(UUID id) {
        return Problem.notFound("no webhook endpoint " + id);
    }

    static boolean exists(Connection connection, UUID id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM webhook_endpoints WHERE id = ?")) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    private static ObjectNode view(Connection connection, UUID id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT data FROM webhook_endpoint_view WHERE id = ?")) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw notFound(id);
                }
                return (ObjectNode) JsonBodies.MAPPER.readTree(row.getString(1));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private int execute(String sql, Object... parameters) throws SQLException {
        return execute(dataSource, sql, parameters);
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
}
