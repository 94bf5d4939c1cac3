package dev.herald.bridge.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Which records a batch keeps across the rebalances Kafka's two protocols make (RabbitBridgeRebalanceTest drives
 * the eager one on Kafka; a cooperative one keeps a partition in place, which must keep its records).
 */
class OwnedRecordsTest {

    private static final TopicPartition P0 = new TopicPartition("customers", 0);
    private static final TopicPartition P1 = new TopicPartition("customers", 1);

    private final CamelContext camel = new DefaultCamelContext();
    private final List<String> camelsCalls = new ArrayList<>();
    private final PartitionOwnership ownership = new PartitionOwnership(new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            camelsCalls.add("revoked " + partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            camelsCalls.add("assigned " + partitions);
        }
    });

    @Test
    void anEagerRebalanceLeavesTheRecordsReadBeforeItEvenOfAPartitionHandedBack() {
        ownership.onPartitionsAssigned(List.of(P0, P1));
        Exchange before0 = read(P0);
        Exchange before1 = read(P1);
        // eager: everything revoked, then P0 given back (rewound to the committed offset), P1 gone elsewhere
        ownership.onPartitionsRevoked(List.of(P0, P1));
        ownership.onPartitionsAssigned(List.of(P0));
        Exchange after0 = read(P0);

        assertThat(kept(before0, before1, after0)).containsExactly(after0);
        assertThat(camelsCalls).as("camel-kafka's own listener still called")
                .containsExactly("assigned [customers-0, customers-1]", "revoked [customers-0, customers-1]",
                        "assigned [customers-0]");
    }

    @Test
    void aCooperativeRebalanceKeepsTheRecordsOfAPartitionLeftInPlace() {
        ownership.onPartitionsAssigned(List.of(P0, P1));
        Exchange before0 = read(P0);
        Exchange before1 = read(P1);
        // cooperative: only P1 revoked, P0 stays where it is and its position with it
        ownership.onPartitionsRevoked(List.of(P1));

        assertThat(kept(before0, before1)).containsExactly(before0);
    }

    @Test
    void aLostPartitionsRecordsAreLeftAndRecordsWithoutATicketKept() {
        ownership.onPartitionsAssigned(List.of(P0));
        Exchange before = read(P0);
        Exchange unstamped = new DefaultExchange(camel);
        ownership.onPartitionsLost(List.of(P0));

        assertThat(kept(before, unstamped)).containsExactly(unstamped);
    }

    /** A record as the manual commit factory stamps it when read. */
    private Exchange read(TopicPartition partition) {
        Exchange record = new DefaultExchange(camel);
        record.setProperty(OwnedRecords.TICKET, ownership.ticket(partition));
        return record;
    }

    private List<Object> kept(Exchange... records) {
        Exchange batch = new DefaultExchange(camel);
        batch.getMessage().setBody(List.of(records));
        new OwnedRecords().keep(batch);
        return List.copyOf((List<?>) batch.getMessage().getBody());
    }
}
