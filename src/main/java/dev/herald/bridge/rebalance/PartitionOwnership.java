package dev.herald.bridge.rebalance;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

/**
 * Which partitions one Kafka consumer holds, and since which assignment: wrapped around the rebalance listener
 * camel-kafka subscribes with (its own, which commits what its commit manager holds on a revoke, still runs).
 *
 * <p>Each assignment of a partition gets a new epoch; a revoke or loss forgets it. A record read under an epoch that
 * is no longer the partition's was read before the partition went away: its new owner (or this consumer again, after
 * an eager rebalance handed it back) reads it from the committed offset. Epochs, not the current assignment, because
 * an eager rebalance revokes every partition and may give one back at once: the records read before are then read a
 * second time, though the partition is assigned. A partition a cooperative rebalance leaves in place keeps its epoch
 * and its records.
 *
 * <p>The listener runs inside {@code poll()}, on the consumer's thread, which is the thread that processes the
 * consumer's batches (camel-kafka's batching hands a batch over synchronously between polls): a batch handed over
 * is finished and its offsets committed before the next poll can revoke its partitions.
 */
final class PartitionOwnership implements ConsumerRebalanceListener {

    private static final AtomicLong EPOCHS = new AtomicLong();

    /** Where a record was read: its partition and the epoch of that partition's assignment then. */
    record Ticket(PartitionOwnership ownership, TopicPartition partition, long epoch) {

        /** Whether the partition is still held under the assignment the record was read in. */
        boolean current() {
            Long held = ownership.epochs.get(partition);
            return held != null && held == epoch;
        }
    }

    private final ConsumerRebalanceListener camels;
    private final Map<TopicPartition, Long> epochs = new ConcurrentHashMap<>();

    PartitionOwnership(ConsumerRebalanceListener camels) {
        this.camels = camels;
    }

    /** The ticket of a record read now from {@code partition}; null for a partition this consumer does not hold. */
    Ticket ticket(TopicPartition partition) {
        Long epoch = epochs.get(partition);
        return epoch == null ? null : new Ticket(this, partition, epoch);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            epochs.put(partition, EPOCHS.incrementAndGet());
        }
        camels.onPartitionsAssigned(partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        forgetAfter(() -> camels.onPartitionsRevoked(partitions), partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        forgetAfter(() -> camels.onPartitionsLost(partitions), partitions);
    }

    /** camel-kafka's listener first (on a revoke it commits what its commit manager holds), then the epochs go. */
    private void forgetAfter(Runnable camelsListener, Collection<TopicPartition> partitions) {
        try {
            camelsListener.run();
        } finally {
            epochs.keySet().removeAll(partitions);
        }
    }
}
