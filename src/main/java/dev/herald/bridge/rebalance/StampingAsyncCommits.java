package dev.herald.bridge.rebalance;

import org.apache.camel.component.kafka.consumer.CommitManager;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualAsyncCommitFactory;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/** {@link StampingSyncCommits} for camel-kafka's asynchronous manual commits. */
public final class StampingAsyncCommits extends DefaultKafkaManualAsyncCommitFactory {

    @Override
    public KafkaManualCommit newInstance(CamelExchangePayload read, KafkaRecordPayload record,
            CommitManager commitManager) {
        OwnedRecords.stamp(read, record);
        return super.newInstance(read, record, commitManager);
    }
}
