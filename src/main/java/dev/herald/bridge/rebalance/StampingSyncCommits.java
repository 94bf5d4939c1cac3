package dev.herald.bridge.rebalance;

import org.apache.camel.component.kafka.consumer.CommitManager;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommitFactory;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * camel-kafka's synchronous manual commits ({@code kafkaManualCommitFactory}), each record stamped with where it was
 * read ({@link OwnedRecords#stamp}): the factory is the one hook camel-kafka calls per record as it reads it.
 * A subclass, since camel-kafka picks its commit manager by the factory's class.
 */
public final class StampingSyncCommits extends DefaultKafkaManualCommitFactory {

    @Override
    public KafkaManualCommit newInstance(CamelExchangePayload read, KafkaRecordPayload record,
            CommitManager commitManager) {
        OwnedRecords.stamp(read, record);
        return super.newInstance(read, record, commitManager);
    }
}
