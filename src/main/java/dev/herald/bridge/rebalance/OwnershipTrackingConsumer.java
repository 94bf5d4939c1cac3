package dev.herald.bridge.rebalance;

import java.util.Collection;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka's consumer, subscribing with {@link PartitionOwnership} around the rebalance listener camel-kafka passes
 * (the only way to see a revoke from outside camel-kafka for one endpoint: see {@link OwnershipTrackingClients}).
 */
final class OwnershipTrackingConsumer extends KafkaConsumer<Object, Object> {

    // written by subscribe, read by the record stamps: both on the consumer's thread
    private volatile PartitionOwnership ownership;

    OwnershipTrackingConsumer(Properties properties) {
        super(properties);
    }

    @Override
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
        super.subscribe(topics, track(listener));
    }

    @Override
    public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
        super.subscribe(pattern, track(listener));
    }

    /** A record's ticket (read now from {@code partition}); null when the consumer does not track it. */
    PartitionOwnership.Ticket ticket(TopicPartition partition) {
        PartitionOwnership current = ownership;
        return current == null ? null : current.ticket(partition);
    }

    private ConsumerRebalanceListener track(ConsumerRebalanceListener listener) {
        PartitionOwnership tracking = new PartitionOwnership(listener);
        ownership = tracking;
        return tracking;
    }
}
