package dev.herald.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.http.JsonBodies;
import dev.herald.http.Problem;
import dev.herald.store.EventStore;
import dev.herald.http.SqlProblems;
import java.net.URI;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The writing half of /api/webhooks/endpoints (routes/webhooks.camel.yaml; reads are declared there in SQL):
 * create (the secret is answered once), patch, delete, rotate the secret. Sending deliveries again is
 * {@link WebhookRedeliveries}.
 * Bodies arrive checked against schemas/webhook-endpoint-*.json; {@link EndpointChecks} checks the rest.
 */
public final class WebhookEndpoints {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;
    private final EndpointChecks checks;
    private final WebhookSettings settings;
    private final Dispatcher dispatcher;
    private final SecretCipher secrets;

    WebhookEndpoints(DataSource dataSource, EndpointChecks checks, WebhookSettings settings, Dispatcher dispatcher,
            SecretCipher secrets) {
        this.dataSource = dataSource;
        this.secrets = secrets;
        this.checks = checks;
        this.settings = settings;
        this.dispatcher = dispatcher;
    }

    public void create(Exchange exchange) throws SQLException {
        JsonNode body = body(exchange);
        URI url = checks.allowedUrl(body.get("url").asText());
        String headers = EndpointChecks.headers(body.path("headers"));
        if (body.path("validate").asBoolean(false)) {
            checks.handshake(url);
        }
        UUID id = EventStore.newId();
        String secret = newSecret();
        try (Connection connection = dataSource.getConnection()) {
            EndpointRows.upsert(connection, id, url, body, headers, secrets.seal(id, secret), "api");
            ObjectNode view = EndpointRows.view(connection, id);
            view.put("secret", secret);
            JsonBodies.answer(exchange, 201, view).setHeader("Location", "/api/webhooks/endpoints/" + id);
        } catch (SQLException e) {
            throw SqlProblems.of(e, settings.retryAfterSeconds());
        }
    }

    public void patch(Exchange exchange) throws SQLException {
        UUID id = id(exchange, "id");
        EndpointPatch patch = EndpointPatch.of(body(exchange), checks);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement update = connection.prepareStatement(patch.sql())) {
                for (int i = 0; i < patch.values().size(); i++) {
                    update.setObject(i + 1, patch.values().get(i));
                }
                update.setObject(patch.values().size() + 1, id);
                if (update.executeUpdate() == 0) {
                    throw notFound(id);
                }
            }
            if (patch.enabling()) {
                // a re-enabled endpoint gets the full retry schedule for what waited
                try (PreparedStatement reset = connection.prepareStatement("""
                        UPDATE webhook_deliveries SET attempts = 0, next_attempt_at = now()
                         WHERE endpoint_id = ? AND status = 'pending'""")) {
                    reset.setObject(1, id);
                    reset.executeUpdate();
                }
            }
            connection.commit();
            JsonBodies.answer(exchange, 200, EndpointRows.view(connection, id));
        } catch (SQLException e) {
            throw SqlProblems.of(e, settings.retryAfterSeconds());
        }
        dispatcher.wake();
    }

    public void delete(Exchange exchange) throws SQLException {
        UUID id = id(exchange, "id");
        if (EndpointRows.execute(dataSource, "DELETE FROM webhook_endpoints WHERE id = ?", id) == 0) {
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
}
