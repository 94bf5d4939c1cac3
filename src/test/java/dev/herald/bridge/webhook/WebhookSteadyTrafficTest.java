package dev.herald.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Events that keep coming, a few per second, are delivered while they come. The fan-out reads Kafka in batches, and
 * camel-kafka hands a partial batch over only at a poll that returns nothing unless batchingIntervalMs is set:
 * steady traffic never gives such a poll, so events waited until 500 had gathered (the two-hub webhook test stalled
 * on it for a minute on a quiet machine).
 */
class WebhookSteadyTrafficTest {

    @Test
    void eventsThatKeepComingAreDeliveredWhileTheyCome() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(); TestHub hub = WebhookHubs.start(Map.of())) {
            WebhookHubs.endpoint(hub, "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"customer.*\"]}");
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger written = new AtomicInteger();
            Thread writer = new Thread(() -> {
                while (writing.get() && written.get() < 1000) {
                    WebhookHubs.customer(hub, "Steady " + written.get());
                    written.incrementAndGet();
                    // the load's shape, not a wait: an event at least every poll, far fewer than a batch's 500
                    LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                }
            }, "steady-writer");
            writer.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> !receiver.received().isEmpty());
                int writtenBeforeTheFirstDelivery = written.get();
                assertThat(writtenBeforeTheFirstDelivery).as("events written before the first was delivered")
                        .isLessThan(250);
            } finally {
                writing.set(false);
                writer.join();
            }
        }
    }
}
