package dev.herald.bridge.rebalance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory.CamelExchangePayload;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory.KafkaRecordPayload;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of a bridge's batch ({@code routes/rabbitmq.camel.yaml}, {@code routes/webhooks.camel.yaml}): the
 * records read for a partition this consumer no longer holds under the same assignment are left out, neither
 * forwarded nor committed. A rebalance took the partition away (or an eager one handed it back, rewound) while
 * camel-kafka's batching still held them; whoever holds it now reads them from the committed offset, so the bridge
 * forwards each record once and an aggregate's events in order across instances.
 *
 * <p>A Herald step because camel-kafka has none (see {@link OwnershipTrackingClients}). Records carry their ticket
 * from the moment they were read ({@link #stamp}, called by the endpoint's manual commit factory); a record without
 * one (an endpoint not set up for it) is kept, as before.
 */
public final class OwnedRecords {

    private static final Logger LOG = LoggerFactory.getLogger(OwnedRecords.class);
    /** Exchange property of a record: its {@link PartitionOwnership.Ticket}. */
    static final String TICKET = "heraldPartitionTicket";

    /** Route step: the batch's body, a list of record exchanges, without those of partitions gone since. */
    public void keep(Exchange batch) {
        List<?> records = batch.getMessage().getBody(List.class);
        if (records == null) {
            return;
        }
        List<Exchange> kept = new ArrayList<>(records.size());
        Map<TopicPartition, Integer> left = new LinkedHashMap<>();
        for (Object each : records) {
            Exchange record = (Exchange) each;
            PartitionOwnership.Ticket ticket = record.getProperty(TICKET, PartitionOwnership.Ticket.class);
            if (ticket == null || ticket.current()) {
                kept.add(record);
            } else {
                left.merge(ticket.partition(), 1, Integer::sum);
            }
        }
        if (!left.isEmpty()) {
            LOG.info("{}: a rebalance took partitions away; their records read before it are left to the owner, "
                    + "which reads them from the committed offset: {}", batch.getFromRouteId(), left);
            batch.getMessage().setBody(kept);
        }
    }

    /** When a record is read (in the manual commit factory, on the consumer's thread): its ticket on the record. */
    static void stamp(CamelExchangePayload read, KafkaRecordPayload record) {
        if (read.consumer instanceof OwnershipTrackingConsumer tracking) {
            PartitionOwnership.Ticket ticket = tracking.ticket(record.partition);
            if (ticket != null) {
                read.exchange.setProperty(TICKET, ticket);
            }
        }
    }
}
