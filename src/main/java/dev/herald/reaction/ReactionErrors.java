package dev.herald.reaction;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.command.Inbound;
import dev.herald.deadletter.DeadLetter;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.http.JsonBodies;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two Herald steps of a reaction's error handling (route configuration {@code reactions} in
 * routes/reactions.camel.yaml): {@code refusedForGood} tells a failure to give up on from one to retry,
 * {@code retrying} runs before each retry, {@code deadLetter} when a {@code skip} reaction gives up on an event. The dead letter is written before the handled exchange goes back to
 * the Kafka consumer, so the offset is committed only once the event is applied or in the dead-letter store.
 */
public final class ReactionErrors {

    /** Dead letters of every reaction have this stage; their destination is the reaction. */
    static final String STAGE = "inbound";
    private static final Logger LOG = LoggerFactory.getLogger(ReactionErrors.class);
    /** attempts so far: Camel's redelivery headers do not survive to the failure step */
    private static final String ATTEMPTS = "HeraldReactionAttempts";

    private final DeadLetterStore deadLetters;
    private final ReactionMeters meters;

    ReactionErrors(DeadLetterStore deadLetters, ReactionMeters meters) {
        this.deadLetters = deadLetters;
        this.meters = meters;
    }

    /**
     * onWhen of the dead-letter clause: a {@code skip} reaction gives up on an event unless the failure is one of
     * "not now" (the command could not be applied now, the database is down), which every reaction retries.
     */
    public boolean refusedForGood(Exchange exchange) {
        if (exchange.getProperty(ReactionRetries.OPERATOR_RETRY) != null) {
            return true; // an operator waits: any failure is answered at once, the dead letter stays open
        }
        if (!"skip".equals(exchange.getProperty(InboundEndpoint.FAILURE_PROPERTY))) {
            return false;
        }
        for (Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class); cause != null;
                cause = cause.getCause()) {
            if (cause instanceof NotAppliedNow || cause instanceof SQLException) {
                return false;
            }
        }
        return true;
    }

    /** onRedelivery step: counts the attempt and says which record waits, and why. */
    public void retrying(Exchange exchange) {
        Message in = exchange.getMessage();
        int attempt = in.getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) + 1;
        exchange.setProperty(ATTEMPTS, attempt);
        meters.retried(reaction(exchange));
        LOG.warn("reaction {} tries {}-{} offset {} again, attempt {}: {}", reaction(exchange),
                in.getHeader(KafkaConstants.TOPIC), in.getHeader(KafkaConstants.PARTITION),
                in.getHeader(KafkaConstants.OFFSET), attempt,
                String.valueOf(exchange.getProperty(Exchange.EXCEPTION_CAUGHT)));
    }

    /**
     * onException step (handled, {@code useOriginalMessage}: the body is the record's value): stage
     * {@code inbound}, destination the reaction, the event as read (or the record, when it was no CloudEvent).
     */
    public void deadLetter(Exchange exchange) throws SQLException {
        if (exchange.getProperty(ReactionRetries.OPERATOR_RETRY) != null) {
            throw ReactionRetries.failedAgain(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        }
        Inbound inbound = exchange.getProperty(Inbound.PROPERTY, Inbound.class);
        Message record = exchange.getMessage();
        String read = exchange.getProperty(InboundEndpoint.EVENT_PROPERTY, String.class);
        UUID eventId = inbound != null ? inbound.uuid() : UUID.nameUUIDFromBytes((record.getHeader(
                KafkaConstants.TOPIC) + "/" + record.getHeader(KafkaConstants.PARTITION) + "/"
                + record.getHeader(KafkaConstants.OFFSET)).getBytes(StandardCharsets.UTF_8));
        deadLetters.record(DeadLetter.of(STAGE, reaction(exchange), eventId,
                inbound != null ? inbound.type() : "unknown", aggregateId(exchange),
                read != null ? read : asRecord(record),
                exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class),
                exchange.getProperty(ATTEMPTS, 1, Integer.class)));
        meters.deadLettered(reaction(exchange));
    }

    private static String reaction(Exchange exchange) {
        return exchange.getProperty(InboundEndpoint.REACTION_PROPERTY, exchange.getFromRouteId(), String.class);
    }

    /** The aggregate id the mapping gave, when it got that far. */
    private static String aggregateId(Exchange exchange) {
        String id = exchange.getProperty(ApplyEndpoint.AGGREGATE_ID_PROPERTY, String.class);
        return id == null ? "" : id;
    }

    /** A record that is no CloudEvent, as JSON: where it was, and its value as text. */
    private static String asRecord(Message record) {
        ObjectNode json = JsonBodies.MAPPER.createObjectNode();
        json.put("topic", record.getHeader(KafkaConstants.TOPIC, String.class));
        json.put("partition", record.getHeader(KafkaConstants.PARTITION, String.class));
        json.put("offset", record.getHeader(KafkaConstants.OFFSET, String.class));
        json.put("key", record.getHeader(KafkaConstants.KEY, String.class));
        byte[] value = record.getBody(byte[].class);
        json.put("value", value == null ? null : new String(value, StandardCharsets.UTF_8));
        return json.toString();
    }
}
