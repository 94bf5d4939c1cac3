package dev.herald.bridge.rabbitmq;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge's meters: events bridged per consumer, confirm latency, failures by reason, paused (a partition
 * retrying, or the broker blocking publishers), Kafka lag of the bridge's consumer group and depth of each
 * consumer's queue.
 */
final class BridgeMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> bridged = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> queueDepths = new ConcurrentHashMap<>();
    private final Map<String, Gauge> queueDepthGauges = new ConcurrentHashMap<>();
    private final Set<String> retryingPartitions = ConcurrentHashMap.newKeySet();
    private final AtomicLong blocked = new AtomicLong();
    private final AtomicLong kafkaLag = new AtomicLong();
    private final Timer confirmLatency;
    private final Counter unrouted;

    BridgeMetrics(MeterRegistry registry, Iterable<BridgeConsumer> consumers) {
        this.registry = registry;
        confirmLatency = Timer.builder("herald.rabbitmq.confirm.latency")
                .description("Publish until the broker confirmed it").publishPercentileHistogram().register(registry);
        unrouted = Counter.builder("herald.rabbitmq.unrouted")
                .description("Events no declared consumer binds that no other queue took either").register(registry);
        Gauge.builder("herald.rabbitmq.paused", () -> retryingPartitions.size() + blocked.get())
                .description("Partitions waiting for the broker (retrying), plus 1 while it blocks publishers")
                .register(registry);
        Gauge.builder("herald.rabbitmq.lag", kafkaLag::get)
                .description("Events on Kafka the bridge has not confirmed yet (its consumer group's lag)")
                .register(registry);
        declared(consumers);
    }

    /**
     * The consumers declared now (at start, and after a live reload): each has its meters; the queue depth of one
     * no longer declared is no longer reported (its bridged count stays, as counters do).
     */
    synchronized void declared(Iterable<BridgeConsumer> consumers) {
        Set<String> names = new HashSet<>();
        for (BridgeConsumer consumer : consumers) {
            names.add(consumer.name());
            AtomicLong depth = queueDepths.computeIfAbsent(consumer.name(), name -> new AtomicLong());
            queueDepthGauges.computeIfAbsent(consumer.name(), name -> Gauge.builder("herald.rabbitmq.queue.depth",
                    depth::get).tag("consumer", name).description("Messages waiting in the consumer's queue")
                    .register(registry));
            bridged(consumer);
        }
        for (String gone : new ArrayList<>(queueDepthGauges.keySet())) {
            if (!names.contains(gone)) {
                registry.remove(queueDepthGauges.remove(gone));
                queueDepths.remove(gone);
            }
        }
    }

    void confirmed(Iterable<BridgeConsumer> receivers, String partition, Duration latency) {
        confirmLatency.record(latency);
        receivers.forEach(consumer -> bridged(consumer).increment());
        retryingPartitions.remove(partition);
    }

    void failed(String reason, String partition) {
        failures.computeIfAbsent(reason, r -> Counter.builder("herald.rabbitmq.failures").tag("reason", r)
                .description("Publish attempts that failed (retried) or events given up on (dead-lettered)")
                .register(registry)).increment();
        if (partition != null) {
            retryingPartitions.add(partition);
        }
    }

    /** Routed to no queue, and no declared consumer wanted it: nothing lost, counted. */
    void unrouted(String partition) {
        unrouted.increment();
        retryingPartitions.remove(partition);
    }

    void givenUp(String partition) {
        retryingPartitions.remove(partition);
    }

    void blocked(boolean isBlocked) {
        blocked.set(isBlocked ? 1 : 0);
    }

    void kafkaLag(long lag) {
        kafkaLag.set(lag);
    }

    void queueDepth(String consumer, long depth) {
        AtomicLong gauge = queueDepths.get(consumer);
        if (gauge != null) {
            gauge.set(depth);
        }
    }

    private Counter bridged(BridgeConsumer consumer) {
        return bridged.computeIfAbsent(consumer.name(), name -> Counter.builder("herald.rabbitmq.bridged")
                .tag("consumer", name).description("Events confirmed by the broker for this consumer's queue")
                .register(registry));
    }
}
