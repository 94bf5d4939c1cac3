package dev.herald.bridge.webhook;

import static dev.herald.bridge.webhook.WebhookHubs.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.bridge.webhook.WebhookReceiver.Answer;
import dev.herald.bridge.webhook.WebhookReceiver.Received;
import dev.herald.testing.CustomerWriters;
import dev.herald.testing.Engines;
import dev.herald.testing.Invariants.Delivery;
import dev.herald.testing.Invariants.Sink;
import dev.herald.testing.Invariants.Summary;
import dev.herald.testing.Invariants;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An endpoint failing half its calls (500, at random with a fixed seed) under concurrent writers: every
 * event succeeds exactly once, its retries carry its own webhook-id, each aggregate in version order.
 */
class WebhookFlakyEndpointTest extends WebhookHubTest {

    @BeforeAll
    static void start() {
        // 30 quick retries: an event dead-letters only after 31 failures in a row (odds 2^-31)
        hub = WebhookHubs.start(Map.of("herald.webhooks.retry-schedule",
                "0," + String.join(",", Collections.nCopies(30, "50"))));
    }

    @Test
    void everyEventSucceedsExactlyOnceInOrderThoughHalfTheCallsFail() throws Exception {
        Random coin = new Random(8);
        AtomicInteger failed = new AtomicInteger();
        List<Received> succeeded = new CopyOnWriteArrayList<>();
        try (WebhookReceiver receiver = new WebhookReceiver().answering(request -> {
            boolean fail;
            synchronized (coin) {
                fail = coin.nextBoolean();
            }
            if (fail) {
                failed.incrementAndGet();
                return Answer.status(500);
            }
            succeeded.add(request); // before the answer: the next version cannot be sent before this is recorded
            return Answer.ok();
        })) {
            endpoint(hub, "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"customer.*\"]}");
            try (CustomerWriters writers = new CustomerWriters(3, 2, () -> hub.http)) {
                await().atMost(PATIENCE).until(() -> writers.accepted() >= 60);

                Engines engines = Engines.get();
                Summary summary = Invariants.of(hub.setting("herald.db.url"), engines.user(), engines.password(),
                        hub.brokers())
                        .sink(new Sink("webhook successes", true, () -> deliveries(() -> List.copyOf(succeeded))))
                        .sink(new Sink("webhook attempts", false, () -> deliveries(receiver::received)))
                        .faults(failed::get).check(writers.stop());
                assertThat(summary.violations()).isEmpty();
                assertThat(failed.get()).isPositive();
            }
        }
    }

    private static List<Delivery> deliveries(Supplier<List<Received>> requests) {
        return requests.get().stream().map(r -> new Delivery(r.header("webhook-id"),
                r.json().path("partitionkey").asText(), r.body())).toList();
    }
}
