package dev.herald.bridge.rabbitmq;

import dev.herald.bridge.rabbitmq.Topology.Exchanges;
import dev.herald.http.Problem;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.springframework.amqp.core.ReturnedMessage;

/**
 * An operator's retry of a {@code rabbitmq} dead letter (registered with the dead-letter store, run inside the
 * operator's transaction): the event, read back from the event table, is published again to the exchange it
 * failed on, with the same message_id, and must be confirmed and routed; otherwise the retry fails and the dead
 * letter stays open.
 */
final class RabbitRedelivery {

    private final CamelContext camel;
    private final RabbitPublishing publishing;
    private final Exchanges exchanges;
    private final ReturningRabbitComponent component;
    private final int confirmTimeout;
    private final RabbitDeliveries deliveries;
    private ProducerTemplate producer;

    RabbitRedelivery(CamelContext camel, RabbitPublishing publishing, Exchanges exchanges,
            ReturningRabbitComponent component, int confirmTimeout, RabbitDeliveries deliveries) {
        this.camel = camel;
        this.deliveries = deliveries;
        this.publishing = publishing;
        this.exchanges = exchanges;
        this.component = component;
        this.confirmTimeout = confirmTimeout;
    }

    void redeliver(Connection transaction, UUID eventId, String exchangeName) throws SQLException {
        BridgedEvent event = stored(transaction, eventId);
        MessageFormat format = exchangeName.equals(exchanges.legacy()) ? MessageFormat.LEGACY : MessageFormat.CLOUDEVENTS;
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(new Publication(exchangeName, format, event, publishing.receivers(format, event),
                event.aggregateId(), null, null));
        try {
            publishing.prepare(exchange);
        } catch (UndeliverableEventException e) {
            RabbitPublishing.spanEnded(exchange, e);
            throw Problem.conflict("not-retriable", e.getMessage());
        }
        Exchange sent = producer().send("spring-rabbitmq:" + exchangeName + "?routingKey=" + event.type()
                + "&confirm=enabled&confirmTimeout=" + confirmTimeout, exchange);
        ReturnedMessage returned = returnOf(sent, exchangeName, event.id().toString());
        RabbitPublishing.spanEnded(sent, returned != null ? new UndeliverableEventException("unroutable",
                "returned by " + exchangeName) : sent.getException());
        if (returned != null) {
            throw Problem.conflict("unroutable", "returned by " + exchangeName + " (" + returned.getReplyCode() + " "
                    + returned.getReplyText() + "): no queue is bound to " + event.type());
        }
        if (sent.getException() != null) {
            throw Problem.unavailable("broker-unavailable", "RabbitMQ did not confirm the message: "
                    + sent.getException().getMessage(), 5, sent.getException());
        }
        // the look-up shows this delivery beside the bridge's (should the operator's transaction fail after it, the
        // record stays: the message was delivered all the same)
        deliveries.redelivered(producer(), exchangeName, event.id());
    }

    private static BridgedEvent stored(Connection transaction, UUID eventId) throws SQLException {
        try (PreparedStatement select = transaction.prepareStatement("SELECT envelope FROM events WHERE event_id = ?")) {
            select.setObject(1, eventId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw Problem.conflict("not-retriable", "event " + eventId + " is no longer in the event table");
                }
                return BridgedEvent.parse(row.getString(1).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** A nack may come before its return (Qpid): then wait briefly for the return. */
    private ReturnedMessage returnOf(Exchange sent, String exchangeName, String messageId) {
        try {
            return sent.getException() instanceof java.util.concurrent.TimeoutException
                    ? component.awaitReturn(exchangeName, messageId, RabbitRefusals.RETURN_AFTER_NACK)
                    : component.takeReturn(exchangeName, messageId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private synchronized ProducerTemplate producer() {
        if (producer == null) {
            producer = camel.createProducerTemplate();
        }
        return producer;
    }
}
