package dev.herald.bridge.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import dev.herald.deadletter.DeadLetter;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.trace.Traces;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * The bridge's error handling (bean {@code rabbitRefusals} in routes/rabbitmq.camel.yaml): which failures no
 * retry can cure (dead letter, the partition goes on), and what each retry of the others does.
 */
public final class RabbitRefusals {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitRefusals.class);
    private static final String RETURNED = "HeraldRabbitReturned";
    /** Qpid returns right after its nack; RabbitMQ never nacks an unroutable message */
    static final Duration RETURN_AFTER_NACK = Duration.ofSeconds(2);

    private final ReturningRabbitComponent component;
    private final CachingConnectionFactory connections;
    private final BridgeMetrics metrics;
    private final DeadLetterStore deadLetters;

    RabbitRefusals(ReturningRabbitComponent component, CachingConnectionFactory connections, BridgeMetrics metrics,
            DeadLetterStore deadLetters) {
        this.component = component;
        this.connections = connections;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
    }

    /**
     * onException predicate: the broker refused this very message for good, so sending it again cannot help:
     * it closed the channel with 406 PRECONDITION_FAILED (e.g. larger than its max_message_size), or it nacked
     * the message and returned it as unroutable (what Qpid does instead of RabbitMQ's return-then-ack).
     */
    public boolean refusedForGood(Exchange exchange) throws InterruptedException {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        AMQP.Channel.Close close = channelClose(failure);
        if (close != null && close.getReplyCode() == AMQP.PRECONDITION_FAILED) {
            return true;
        }
        Publication publication = exchange.getProperty(RabbitPublishing.PUBLICATION, Publication.class);
        // camel-spring-rabbitmq reports a nack as java.util.concurrent.TimeoutException (a late confirm is an
        // AmqpTimeoutException)
        if (publication == null || !(failure instanceof java.util.concurrent.TimeoutException)) {
            return false;
        }
        ReturnedMessage returned = component.awaitReturn(publication.exchange(), publication.event().id().toString(),
                RETURN_AFTER_NACK);
        exchange.setProperty(RETURNED, returned);
        return returned != null;
    }

    /** onException step for what {@link #refusedForGood} found. */
    public void refused(Exchange exchange) throws SQLException {
        Publication publication = exchange.getProperty(RabbitPublishing.PUBLICATION, Publication.class);
        ReturnedMessage returned = exchange.getProperty(RETURNED, ReturnedMessage.class);
        if (returned != null) {
            unrouted(exchange, publication, returned);
        } else {
            deadLetter(exchange, publication, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class),
                    "refused");
        }
        RabbitPublishing.spanEnded(exchange, null);
    }

    /** onException step: the broker will never take this message; the shared dead-letter store keeps it. */
    public void deadLetter(Exchange exchange) throws SQLException {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        deadLetter(exchange, exchange.getProperty(RabbitPublishing.PUBLICATION, Publication.class), failure,
                failure instanceof UndeliverableEventException u ? u.reason() : "refused");
    }

    /**
     * Routed nowhere: a declared consumer binds this type, so its queue or binding is missing (dead letter);
     * or nobody declared wants it (the CloudEvents exchange gets every event), which is no failure.
     */
    void unrouted(Exchange exchange, Publication publication, ReturnedMessage returned) {
        if (publication.receivers().isEmpty()) {
            metrics.unrouted(exchange.getProperty(RabbitPublishing.PARTITION, String.class));
            return;
        }
        UndeliverableEventException failure = new UndeliverableEventException("unroutable", "returned by "
                + publication.exchange() + " (" + returned.getReplyCode() + " " + returned.getReplyText()
                + ") although consumers " + publication.receivers().stream().map(BridgeConsumer::name).toList()
                + " bind " + publication.event().type());
        try {
            deadLetter(exchange, publication, failure, failure.reason());
        } catch (SQLException e) {
            throw new IllegalStateException("could not dead-letter " + publication.event().id(), e);
        }
    }

    private void deadLetter(Exchange exchange, Publication publication, Throwable failure, String reason)
            throws SQLException {
        RabbitPublishing.spanEnded(exchange, failure);
        BridgedEvent event = publication.event();
        deadLetters.record(DeadLetter.of("rabbitmq", publication.exchange(), event.id(), event.type(),
                event.aggregateId(), new String(event.cloudEvent(), StandardCharsets.UTF_8), failure,
                exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) + 1));
        metrics.failed(reason, null);
        metrics.givenUp(exchange.getProperty(RabbitPublishing.PARTITION, String.class));
    }

    /** Before each retry of a failed publish (bean rabbitBridgeRetrying): counted, the partition shown paused. */
    void retrying(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Publication publication = exchange.getProperty(RabbitPublishing.PUBLICATION, Publication.class);
        String partition = exchange.getProperty(RabbitPublishing.PARTITION, String.class);
        try (Traces.Logged logged = Traces.logged(RabbitPublishing.traced(exchange))) {
            LOG.warn("RabbitMQ bridge retries {} {} of {} to {} (attempt {}): {}", publication == null ? "?"
                    : publication.event().type(), publication == null ? "?" : publication.event().id(), partition,
                    publication == null ? "?" : publication.exchange(),
                    exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER), String.valueOf(failure));
        }
        metrics.failed(failure == null ? "unknown" : failure.getClass().getSimpleName(), partition);
        RabbitPublishing.spanRetrying(exchange, failure);
        AMQP.Channel.Close close = channelClose(failure);
        if (close != null && close.getReplyCode() == AMQP.NOT_FOUND) {
            // an exchange was deleted under us: a new connection declares the topology again
            connections.resetConnection();
        }
    }

    private static AMQP.Channel.Close channelClose(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException signal && !signal.isHardError()
                    && signal.getReason() instanceof AMQP.Channel.Close close) {
                return close;
            }
        }
        return null;
    }
}
