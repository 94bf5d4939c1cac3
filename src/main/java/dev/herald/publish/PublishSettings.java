package dev.herald.publish;

import java.time.Duration;

/** The herald.publish.* settings. */
public record PublishSettings(Duration timeout, int lanes, int batchSize, Duration linger, int queueCapacity,
        int retryAfterSeconds, String brokers, String instanceId) {

    /** How long the relay keeps away from a sync event its lane is still publishing. */
    Duration leaseFor() {
        return timeout.multipliedBy(3);
    }
}
