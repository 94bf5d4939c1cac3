package dev.herald.replay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.http.Problem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * A step of POST /api/replays (routes/replays.camel.yaml), after its JSON Schema: the request as the SQL parameters
 * of the replay's row ({@code id}, {@code target_kind}, {@code target}, {@code since}, {@code until}, {@code types}
 * as a JSON array, {@code aggregate_id}), and the one check a schema cannot make: that the target exists (404
 * problem otherwise, so nothing starts). A processor rather than {@code sql:} steps: the answer for an unknown
 * target is a problem, which a route cannot throw.
 */
public final class ReplayRequest implements Processor {

    /** The exchange property holding the new replay's id, for the answer's Location. */
    public static final String REPLAY_ID = "replayId";

    private final DataSource dataSource;
    private final Predicate<String> rabbitConsumers;

    /** {@code rabbitConsumers}: whether bridges/rabbitmq.yaml declares a consumer of that name. */
    public ReplayRequest(DataSource dataSource, Predicate<String> rabbitConsumers) {
        this.dataSource = dataSource;
        this.rabbitConsumers = rabbitConsumers;
    }

    @Override
    public void process(Exchange exchange) throws SQLException {
        JsonNode request = exchange.getIn().getBody(JsonNode.class);
        Map.Entry<String, JsonNode> target = request.get("target").fields().next();
        String kind = target.getKey();
        String name = target.getValue().asText();
        switch (kind) {
            case "webhook_endpoint" -> requireWebhookEndpoint(name);
            case "kafka_topic" -> {
                // any topic: the broker creates it, or refuses and the replay records the error
            }
            case "rabbitmq_consumer" -> {
                if (!rabbitConsumers.test(name)) {
                    throw Problem.notFound("no RabbitMQ consumer " + name + " is declared (bridges/rabbitmq.yaml; "
                            + "none while herald.rabbitmq.enabled is false)");
                }
            }
            default -> throw Problem.badRequest("replay-target-unsupported", "a replay goes to a webhook_endpoint, a "
                    + "kafka_topic or a rabbitmq_consumer, not a " + kind).with("target", kind);
        }
        UUID id = UUID.randomUUID();
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("id", id.toString());
        parameters.put("target_kind", kind);
        parameters.put("target", name);
        parameters.put("since", request.get("since").asText());
        parameters.put("until", text(request.get("until")));
        parameters.put("types", request.has("types") ? request.get("types").toString() : "[]");
        parameters.put("aggregate_id", text(request.get("aggregate_id")));
        exchange.setProperty(REPLAY_ID, id.toString());
        exchange.getMessage().setBody(parameters);
    }

    private static String text(JsonNode value) {
        return value == null || value.isNull() ? null : value.asText();
    }

    private void requireWebhookEndpoint(String id) throws SQLException {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw unknownEndpoint(id);
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT 1 FROM webhook_endpoints WHERE id = ?")) {
            select.setObject(1, uuid);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw unknownEndpoint(id);
                }
            }
        }
    }

    private static Problem unknownEndpoint(String id) {
        return Problem.notFound("no webhook endpoint " + id + " (GET /api/webhooks/endpoints lists them)");
    }
}
