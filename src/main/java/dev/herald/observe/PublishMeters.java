package dev.herald.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Events that reached Kafka, per type and per path ({@code lane}: sync commands, {@code relay}: the outbox),
 * and how long after their database commit Kafka acknowledged them.
 */
public final class PublishMeters {

    public static final String LANE = "lane";
    public static final String RELAY = "relay";

    private final MeterRegistry registry;
    private final OutboxMonitor monitor;
    private final Map<String, Counter> published = new ConcurrentHashMap<>();
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();

    public PublishMeters(MeterRegistry registry, OutboxMonitor monitor) {
        this.registry = registry;
        this.monitor = monitor;
    }

    public void published(String path, String eventType, Duration sinceCommit) {
        monitor.brokerAnswered();
        published.computeIfAbsent(path + '\n' + eventType, key -> Counter.builder("herald.events.published")
                .description("Events Kafka acknowledged").tag("path", path).tag("type", eventType)
                .register(registry)).increment();
        latency.computeIfAbsent(path, key -> Timer.builder("herald.publish.latency")
                .description("From the event's database commit to Kafka's acknowledgement").tag("path", path)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry)).record(sinceCommit);
    }

    /**
     * A publish attempt that failed (the relay retries it, a sync command answers 503). {@code unreachable}:
     * Kafka did not answer, as opposed to refusing particular events.
     */
    public void failed(String path, Throwable failure, boolean unreachable) {
        if (unreachable) {
            monitor.brokerFailed();
        }
        String kind = failure.getCause() != null ? failure.getCause().getClass().getSimpleName()
                : failure.getClass().getSimpleName();
        errors.computeIfAbsent(path + '\n' + kind, key -> Counter.builder("herald.publish.errors")
                .description("Failed attempts to publish a batch").tag("path", path).tag("error", kind)
                .register(registry)).increment();
    }
}
