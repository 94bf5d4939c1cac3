package dev.herald.bridge.rabbitmq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The look-up's record of the bridge's confirmed deliveries (bean {@code rabbitDeliveries} in
 * routes/rabbitmq.camel.yaml, table rabbitmq_deliveries of V16): what the broker confirmed and routed to a queue,
 * gathered for a partition's share of a poll while its messages go out, so the route writes it with ONE insert per
 * batch (the route's own {@code sql:} step does the writing).
 *
 * <p>Why Herald steps: the events confirmed are known only inside the publishing steps (the batch's one wait, or the
 * per-message path's confirm and return check), so those steps add each to the partition's {@link Confirmed}, which
 * the partition's exchange carries and the split copies of it share. And Herald's meters are Micrometer's without
 * camel-micrometer, so a record that could not be written is counted here.
 */
public final class RabbitDeliveries {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitDeliveries.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Exchange property: the partition's {@link Confirmed}, shared by the split copies of its exchange. */
    static final String CONFIRMED = "HeraldRabbitConfirmed";
    /** The route that hands a record to rabbitmq-delivery-log, counting what it cannot. */
    private static final String RECORD = "direct:rabbitmq-record-deliveries";

    private final boolean recording;
    private final Counter failures;

    RabbitDeliveries(MeterRegistry meters, Duration retention) {
        this.recording = !retention.isZero();
        this.failures = Counter.builder("herald.rabbitmq.delivery.log.failures")
                .description("Confirmed deliveries the look-up could not record (the events were delivered)")
                .register(meters);
    }

    /** Route step (per partition, before it is published): an empty record; none with a retention of 0. */
    public void open(Exchange exchange) {
        if (recording) {
            exchange.setProperty(CONFIRMED, new Confirmed());
        }
    }

    /**
     * Route step (per partition, its messages confirmed): the insert's parameter, a JSON array of {@code {exchange,
     * event_ids}}; null when nothing was routed to a queue (or nothing is recorded).
     */
    public String rows(Exchange exchange) {
        Confirmed confirmed = exchange.getProperty(CONFIRMED, Confirmed.class);
        return confirmed == null ? null : confirmed.json();
    }

    /** Route step: the record was not written (queue full, database refusing); the events are delivered regardless. */
    public void failed(Exchange exchange) {
        failures.increment();
        LOG.warn("RabbitMQ bridge could not record a batch of confirmed deliveries for the look-up (the events are "
                + "delivered; only GET /api/lookup/{id} will not show them): {}",
                reason(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)));
    }

    /**
     * An operator's retry of a dead letter, confirmed and routed: recorded as a batch of one, the way the bridge's
     * route records its batches (rabbitmq-delivery-record, routes/rabbitmq.camel.yaml), never waited for.
     */
    void redelivered(ProducerTemplate producer, String exchangeName, UUID event) {
        if (recording) {
            Confirmed confirmed = new Confirmed();
            confirmed.add(exchangeName, event);
            producer.sendBody(RECORD, confirmed.json());
        }
    }

    /** The innermost cause, which names the problem (the database's message, "Queue full"), on one line. */
    private static String reason(Throwable failure) {
        if (failure == null) {
            return "unknown";
        }
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return String.valueOf(cause).replaceAll("\\s*\\R\\s*", " ");
    }

    /** The message of {@code exchange} (its publication) was confirmed and routed: recorded, if its partition records. */
    static void confirmed(Exchange exchange, Publication publication) {
        Confirmed confirmed = exchange.getProperty(CONFIRMED, Confirmed.class);
        if (confirmed != null) {
            confirmed.add(publication.exchange(), publication.event().id());
        }
    }

    /** The events of one partition's batch confirmed and routed, by exchange. */
    static final class Confirmed {

        private final Map<String, List<UUID>> byExchange = new LinkedHashMap<>();

        synchronized void add(String exchange, UUID event) {
            byExchange.computeIfAbsent(exchange, e -> new ArrayList<>()).add(event);
        }

        synchronized String json() {
            if (byExchange.isEmpty()) {
                return null;
            }
            ArrayNode rows = JSON.createArrayNode();
            byExchange.forEach((exchange, events) -> {
                ObjectNode row = rows.addObject().put("exchange", exchange);
                ArrayNode ids = row.putArray("event_ids");
                events.forEach(id -> ids.add(id.toString()));
            });
            return rows.toString();
        }
    }
}
