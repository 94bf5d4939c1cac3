package dev.herald.bridge.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.http.JsonBodies;
import dev.herald.http.Problem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.Exchange;

/**
 * Deliveries sent again (routes/webhooks.camel.yaml): an endpoint's events replayed since a time, one delivery
 * retried now, and a dead letter of the webhook stage retried through the dead-letter API. Each resets the
 * delivery's retry schedule and wakes the dispatcher.
 */
public final class WebhookRedeliveries {

    private final DataSource dataSource;
    private final Dispatcher dispatcher;

    WebhookRedeliveries(DataSource dataSource, Dispatcher dispatcher) {
        this.dataSource = dataSource;
        this.dispatcher = dispatcher;
    }

    /**
     * Sends again, in order, every stored event since ?since= that matches the endpoint's filters, marked as replays
     * (POST /api/replays does the same in pages, with more filters and other targets).
     */
    public void replay(Exchange exchange) throws SQLException {
        UUID id = WebhookEndpoints.id(exchange, "id");
        String since = exchange.getIn().getHeader("since", String.class);
        OffsetDateTime from;
        try {
            from = OffsetDateTime.parse(since == null ? "" : since.strip());
        } catch (DateTimeParseException e) {
            throw Problem.badRequest("invalid-since", "since must be an RFC 3339 time, e.g. 2026-11-23T10:00:00Z");
        }
        int replayed;
        try (Connection connection = dataSource.getConnection()) {
            if (!EndpointRows.exists(connection, id)) {
                throw WebhookEndpoints.notFound(id);
            }
            // one unbounded page of the statement the replay runner pages with (V13__replay_order.sql): marked as a
            // replay, through the endpoint's filters; the published events committed now (not final_only: there is
            // no next page to wait for; what commits or is published later reaches the endpoint live)
            try (PreparedStatement insert = connection.prepareStatement(
                    "SELECT queued FROM replay_to_webhook(?, '0', 0, NULL, ?, NULL, '{}', NULL, NULL, false)")) {
                insert.setObject(1, id);
                insert.setTimestamp(2, Timestamp.from(from.toInstant()));
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    replayed = row.getInt(1);
                }
            }
        }
        ObjectNode answer = JsonBodies.MAPPER.createObjectNode();
        answer.put("replayed", replayed);
        answer.put("since", from.toString());
        JsonBodies.answer(exchange, 202, answer);
        dispatcher.wake();
    }

    /**
     * POST /api/dead-letters/{id}/retry of a webhook dead letter (its destination is the endpoint URL): the
     * dead delivery goes again, with a fresh retry schedule, inside the dead-letter API's transaction.
     */
    static void redeliverDead(Connection transaction, UUID eventId, String url) throws SQLException {
        try (PreparedStatement again = transaction.prepareStatement("""
                UPDATE webhook_deliveries d
                   SET status = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL
                  FROM webhook_endpoints e
                 WHERE e.id = d.endpoint_id AND e.url = ? AND d.event_id = ? AND d.status = 'dead'""")) {
            again.setString(1, url);
            again.setObject(2, eventId);
            if (again.executeUpdate() == 0) {
                throw Problem.conflict("webhook-delivery-gone", "no dead delivery of event " + eventId + " to " + url
                        + " is left (was its endpoint deleted?)");
            }
        }
    }

    /** One delivery again, now, with a fresh retry schedule. */
    public void retry(Exchange exchange) throws SQLException {
        UUID id = WebhookEndpoints.id(exchange, "id");
        long delivery;
        try {
            delivery = Long.parseLong(exchange.getIn().getHeader("deliveryId", String.class));
        } catch (NumberFormatException e) {
            throw Problem.notFound("no delivery " + exchange.getIn().getHeader("deliveryId"));
        }
        if (EndpointRows.execute(dataSource, """
                UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL
                 WHERE endpoint_id = ? AND id = ?""", id, delivery) == 0) {
            throw Problem.notFound("endpoint " + id + " has no delivery " + delivery);
        }
        ObjectNode answer = JsonBodies.MAPPER.createObjectNode();
        answer.put("delivery", delivery);
        answer.put("status", "pending");
        JsonBodies.answer(exchange, 202, answer);
        dispatcher.wake();
    }
}
