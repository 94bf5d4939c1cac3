package dev.herald.bridge.rabbitmq;

import io.opentelemetry.api.trace.SpanContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.amqp.core.ReturnedMessage;

/**
 * The RabbitMQ steps of a replay (bean {@code rabbitReplays} in routes/replays.camel.yaml): an event of a replay's page
 * becomes the message the bridge gives the declared consumer (its format, the same AMQP properties), marked with the
 * header {@code replay: true}, and goes through the default exchange straight to the consumer's queue, so no other
 * consumer bound to the event's type gets it again. The route publishes it with publisher confirms; a return (the
 * queue is gone) fails the page, which is then sent again.
 */
public final class RabbitReplays {

    /** The AMQP default exchange, as a return names it; camel-spring-rabbitmq calls it {@code default}. */
    private static final String DEFAULT_EXCHANGE = "";
    private static final String EVENT_ID = "HeraldRabbitReplayEvent";

    private final Supplier<BridgeDeclarations> declarations;
    private final RabbitPublishing publishing;
    private final ReturningRabbitComponent component;

    RabbitReplays(Supplier<BridgeDeclarations> declarations, RabbitPublishing publishing,
            ReturningRabbitComponent component) {
        this.declarations = declarations;
        this.publishing = publishing;
        this.component = component;
    }

    /** Whether bridges/rabbitmq.yaml declares this consumer (none is declared while the bridge is off). */
    public boolean declares(String consumer) {
        return find(consumer).isPresent();
    }

    /**
     * Route step: the page row in the body ({@code envelope}: the stored CloudEvent marked as a replay) becomes the
     * consumer's message; the property {@code rabbitRoutingKey} its queue.
     */
    public void prepare(Exchange exchange, String consumerName) {
        BridgeConsumer consumer = find(consumerName).orElseThrow(() -> new IllegalStateException(
                "RabbitMQ consumer " + consumerName + " is no longer declared in bridges/rabbitmq.yaml"));
        Message out = exchange.getMessage();
        Map<?, ?> row = out.getBody(Map.class);
        BridgedEvent event = BridgedEvent.parse(String.valueOf(row.get("envelope")).getBytes(StandardCharsets.UTF_8));
        org.springframework.amqp.core.Message message = publishing.message(event, consumer.format(),
                event.aggregateId(), SpanContext.getInvalid());
        message.getMessageProperties().setHeader("replay", "true");
        out.removeHeaders("*");
        out.setBody(message);
        exchange.setProperty("rabbitRoutingKey", consumer.queue());
        exchange.setProperty(EVENT_ID, event.id().toString());
    }

    /** Route step after the confirmed publish: a return means the consumer's queue is not there. */
    public void confirmed(Exchange exchange) {
        ReturnedMessage returned = component.takeReturn(DEFAULT_EXCHANGE, exchange.getProperty(EVENT_ID, String.class));
        if (returned != null) {
            throw new IllegalStateException("RabbitMQ returned the replayed event (" + returned.getReplyCode() + " "
                    + returned.getReplyText() + "): queue " + returned.getRoutingKey() + " does not exist");
        }
    }

    private Optional<BridgeConsumer> find(String name) {
        return declarations.get().consumers().stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
