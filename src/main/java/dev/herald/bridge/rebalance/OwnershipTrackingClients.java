package dev.herald.bridge.rebalance;

import java.util.Properties;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * camel-kafka's client factory for the bridges' consumer endpoints ({@code kafkaClientFactory}): consumers that know
 * which partitions they hold ({@link OwnershipTrackingConsumer}), so that {@link OwnedRecords} can leave the records
 * read for a partition that a rebalance took away.
 *
 * <p>Why not Camel's own: camel-kafka's batching consumer (4.18) keeps the records of earlier polls until a batch
 * is full or batchingIntervalMs passed, and its rebalance listener ({@code ClassicRebalanceListener}) only commits
 * what its commit manager holds on a revoke; it neither drops those records nor tells anyone, so they are handed
 * over after the partition moved, and the new owner reads them too. Its pluggable {@code subscribeAdapter} would
 * see the listener, but it is one bean for every Kafka consumer of the context (projections, sinks, reactions);
 * the client factory is an endpoint option, so only the endpoints that also stamp their records
 * ({@link StampingSyncCommits}) are touched.
 */
public final class OwnershipTrackingClients extends DefaultKafkaClientFactory {

    @Override
    public Consumer getConsumer(Properties kafkaProps) {
        return new OwnershipTrackingConsumer(kafkaProps);
    }
}
