package dev.herald.bridge.rabbitmq;

import dev.herald.trace.Traces;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The bridge's batched confirms (bean {@code rabbitBatches} in routes/rabbitmq.camel.yaml): each partition's share of
 * a Kafka poll is published on one channel, then the broker's confirms of all its messages are awaited at once.
 *
 * <p>Why a step of Herald's and not {@code spring-rabbitmq:...?confirm=enabled}: camel-spring-rabbitmq's producer
 * publishes one exchange's message and waits for that message's confirm before it returns ({@code RabbitTemplate
 * .invoke(send; waitForConfirms)} per message), so a poll of 500 events costs 500 round trips to the broker's disk.
 * It has no way to send many messages on one channel and wait once for their cumulative confirms. This step does
 * exactly that with the component's own template settings and message conversion ({@link ReturningRabbitComponent}),
 * and leaves every decision about a failure to the per-message path of the route: when the batch is not confirmed
 * as a whole (a nack, no confirms within herald.rabbitmq.confirm-timeout, the broker away, a message too large) the
 * route publishes that partition's records again one by one through {@code direct:rabbitmq-publish}, which retries,
 * dead-letters and counts as before. Returns are taken per message by {@link RabbitPublishing#confirmed}, the very
 * step the per-message path uses after its confirm.
 */
public final class RabbitBatches {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitBatches.class);
    /** Exchange property: whether the broker confirmed the whole partition's batch. */
    static final String CONFIRMED = "rabbitBatchConfirmed";

    private final CamelContext camel;
    private final RabbitPublishing publishing;
    private final ReturningRabbitComponent component;
    private final BridgeMetrics metrics;
    private final long confirmTimeout;
    private final boolean enabled;
    private volatile RabbitTemplate template;

    RabbitBatches(CamelContext camel, RabbitPublishing publishing, ReturningRabbitComponent component,
            BridgeMetrics metrics, long confirmTimeout, boolean enabled) {
        this.camel = camel;
        this.publishing = publishing;
        this.component = component;
        this.metrics = metrics;
        this.confirmTimeout = confirmTimeout;
        this.enabled = enabled;
    }

    /** Route step: a poll's records (camel-kafka batching), one list per partition, each in offset order. */
    public List<List<Exchange>> partitions(Exchange exchange) {
        Map<String, List<Exchange>> partitions = new LinkedHashMap<>();
        for (Object record : exchange.getMessage().getBody(List.class)) {
            Exchange one = (Exchange) record;
            Message in = one.getMessage();
            partitions.computeIfAbsent(in.getHeader(KafkaConstants.TOPIC) + "-" + in.getHeader(KafkaConstants.PARTITION),
                    p -> new ArrayList<>()).add(one);
        }
        return new ArrayList<>(partitions.values());
    }

    /**
     * Route step (per partition): every message of the partition's records sent on one channel in offset order,
     * then one wait for all their confirms; sets {@value #CONFIRMED}. Confirmed: each publication is finished as the
     * per-message path finishes it (return taken, metrics, span). Not confirmed: nothing is decided here, the route
     * publishes the records again one by one.
     */
    public void publish(Exchange exchange) {
        List<?> records = exchange.getMessage().getBody(List.class);
        if (!enabled) {
            exchange.setProperty(CONFIRMED, false);
            return;
        }
        RabbitTemplate template = template();
        List<Exchange> sent = new ArrayList<>();
        List<org.springframework.amqp.core.Message> messages = new ArrayList<>();
        try {
            for (Object record : records) {
                Exchange one = (Exchange) record;
                for (Publication publication : publishing.publications(one)) {
                    Exchange message = new DefaultExchange(camel);
                    message.setProperty(RabbitPublishing.PARTITION, one.getProperty(RabbitPublishing.PARTITION));
                    // what it confirms goes to the partition's record for the look-up
                    message.setProperty(RabbitDeliveries.CONFIRMED, exchange.getProperty(RabbitDeliveries.CONFIRMED));
                    message.getMessage().setBody(publication);
                    sent.add(message);
                    publishing.prepare(message);
                    messages.add(message.getMessage().getBody(org.springframework.amqp.core.Message.class));
                }
            }
        } catch (RuntimeException refused) {
            // e.g. larger than herald.rabbitmq.max-message-size: nothing was sent, the per-message path decides
            fellBack(exchange, records, sent, refused, false);
            return;
        }
        boolean confirmed;
        Exception failure = null;
        try {
            confirmed = Boolean.TRUE.equals(template.invoke(channel -> {
                for (int i = 0; i < sent.size(); i++) {
                    channel.send(sent.get(i).getProperty("rabbitExchange", String.class),
                            sent.get(i).getProperty("rabbitRoutingKey", String.class), messages.get(i));
                }
                return channel.waitForConfirms(confirmTimeout);
            }));
        } catch (RuntimeException e) {
            // the broker away, the channel closed by it (406: a message too large), no confirms in time
            confirmed = false;
            failure = e;
        }
        if (!confirmed) {
            fellBack(exchange, records, sent, failure, true);
            return;
        }
        try {
            sent.forEach(publishing::confirmed);
        } catch (RuntimeException e) {
            // a dead letter that could not be written: the per-message path retries it with its backoff
            fellBack(exchange, records, sent, e, true);
            return;
        }
        exchange.setProperty(CONFIRMED, true);
    }

    /** Route step (fallback, per record): the current message becomes the Kafka record's, as the consumer gave it. */
    public void record(Exchange exchange) {
        Exchange record = exchange.getMessage().getBody(Exchange.class);
        Message in = exchange.getMessage();
        in.setHeaders(new HashMap<>(record.getMessage().getHeaders()));
        in.setBody(record.getMessage().getBody());
    }

    /** Route step (per partition, once its messages are confirmed): the partition's offset committed. */
    public void commit(Exchange exchange) {
        List<?> records = exchange.getMessage().getBody(List.class);
        Exchange last = (Exchange) records.get(records.size() - 1);
        KafkaManualCommit commit = last.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            commit.commit();
        }
    }

    private void fellBack(Exchange exchange, List<?> records, List<Exchange> sent, Exception failure,
            boolean published) {
        String why = failure == null ? "nacked or not confirmed within " + confirmTimeout + " ms"
                : String.valueOf(failure);
        for (Exchange message : sent) {
            RabbitPublishing.spanFellBack(message, why);
            if (published) {
                // a return of this attempt must not be taken for one of the next
                Publication publication = message.getProperty(RabbitPublishing.PUBLICATION, Publication.class);
                component.takeReturn(publication.exchange(), publication.event().id().toString());
            }
        }
        if (published) {
            metrics.failed(failure == null ? "batch-not-confirmed" : failure.getClass().getSimpleName(), null);
        }
        // the line carries the trace ids of the partition's records (their Kafka traceparent headers)
        try (Traces.Logged logged = Traces.logged(records, record -> ((Exchange) record).getMessage()
                .getHeader(Traces.TRACEPARENT, String.class))) {
            LOG.info("RabbitMQ bridge publishes the {} records of {} in this poll again one message at a time: {}",
                    records.size(), sent.isEmpty() ? "?" : sent.get(0).getProperty(RabbitPublishing.PARTITION), why);
        }
        exchange.setProperty(CONFIRMED, false);
    }

    private RabbitTemplate template() {
        RabbitTemplate current = template;
        if (current == null) {
            // the component starts on its first use: message conversion and header filter come from its start
            camel.getComponent("spring-rabbitmq");
            current = component.batchTemplate();
            template = current;
        }
        return current;
    }
}
