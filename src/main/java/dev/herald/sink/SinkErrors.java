package dev.herald.sink;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.deadletter.DeadLetter;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.http.JsonBodies;
import dev.herald.trace.Traces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two Herald steps of a sink's error handling (route configuration {@code sinks} in routes/sinks.camel.yaml):
 * {@code sinkRetrying} before each retry, {@code sinkDeadLetter} once the retries are spent. The dead letter is
 * written before the handled exchange goes back to the Kafka consumer, so the offset is committed only after the
 * event is either in the sink or in the dead-letter store.
 */
public final class SinkErrors {

    /** Dead letters of sink route {@code r} have stage {@code sink:r}. */
    public static final String STAGE = "sink:";
    private static final Logger LOG = LoggerFactory.getLogger(SinkErrors.class);
    /** attempts made so far: Camel's redelivery headers do not survive to the failure step */
    private static final String ATTEMPTS = "HeraldSinkAttempts";

    private final DeadLetterStore deadLetters;

    public SinkErrors(DeadLetterStore deadLetters) {
        this.deadLetters = deadLetters;
    }

    /** onRedelivery step: counts the attempt and says which record waits, where, and why. */
    public void retrying(Exchange exchange) {
        Message in = exchange.getMessage();
        int attempt = in.getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) + 1;
        exchange.setProperty(ATTEMPTS, attempt);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure != null) {
            SinkSpan.of(exchange).recordException(failure);
        }
        LOG.warn("sink {} tries {}-{} offset {} (key {}) again, attempt {}, at {}: {}", exchange.getFromRouteId(),
                in.getHeader(KafkaConstants.TOPIC), in.getHeader(KafkaConstants.PARTITION),
                in.getHeader(KafkaConstants.OFFSET), in.getHeader(KafkaConstants.KEY), attempt,
                destination(exchange), String.valueOf(failure));
    }

    /**
     * onException step (handled, {@code useOriginalMessage}, so the body is the Kafka record's CloudEvent bytes):
     * records the event as stage {@code sink:<route id>}, destination the endpoint that failed.
     */
    public void deadLetter(Exchange exchange) throws SQLException {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure != null) {
            Traces.failed(SinkSpan.of(exchange), failure);
        }
        byte[] record = exchange.getMessage().getBody(byte[].class);
        JsonNode event;
        try {
            event = JsonBodies.MAPPER.readTree(record);
            UUID.fromString(event.path("id").asText());
        } catch (IOException | RuntimeException e) {
            // not Herald's (someone else wrote to the topic): there is no event to keep or retry
            LOG.error("sink {} skips the record at offset {} of {}: not a Herald CloudEvent ({})",
                    exchange.getFromRouteId(), exchange.getMessage().getHeader(KafkaConstants.OFFSET),
                    exchange.getMessage().getHeader(KafkaConstants.TOPIC), e.getMessage());
            return;
        }
        deadLetters.record(DeadLetter.of(STAGE + exchange.getFromRouteId(), destination(exchange),
                UUID.fromString(event.path("id").asText()), event.path("type").asText(),
                event.path("subject").asText(), new String(record, StandardCharsets.UTF_8),
                failure, exchange.getProperty(ATTEMPTS, 1, Integer.class)));
    }

    /** The endpoint the failure came from, without credentials (an HTTP sink's URI may carry some). */
    private static String destination(Exchange exchange) {
        String uri = exchange.getProperty(Exchange.FAILURE_ENDPOINT, String.class);
        if (uri == null) {
            uri = exchange.getProperty(Exchange.TO_ENDPOINT, String.class);
        }
        return uri == null ? "unknown" : URISupport.sanitizeUri(uri);
    }
}
