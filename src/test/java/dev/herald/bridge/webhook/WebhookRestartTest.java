package dev.herald.bridge.webhook;

import static dev.herald.bridge.webhook.WebhookHubs.customer;
import static dev.herald.bridge.webhook.WebhookHubs.endpoint;
import static dev.herald.bridge.webhook.WebhookHubs.rename;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.bridge.webhook.WebhookReceiver.Answer;
import dev.herald.bridge.webhook.WebhookReceiver.Received;
import dev.herald.testing.Engines;
import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A hub stopped while deliveries are being retried picks them up where they were, in order. */
class WebhookRestartTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void aHubRestartedMidRetryLosesNothing() throws Exception {
        Map<String, String> settings = WebhookHubs.settings(Map.of("herald.db.url", Engines.get().freshSchema(),
                "herald.instance.id", "webhook-restart", "herald.webhooks.retry-schedule",
                "0," + String.join(",", Collections.nCopies(100, "100"))));
        AtomicBoolean up = new AtomicBoolean(false);
        try (WebhookReceiver receiver = new WebhookReceiver().answering(request ->
                up.get() ? Answer.ok() : Answer.status(503))) {
            String secret;
            String id;
            try (TestHub hub = TestHub.start(settings)) {
                secret = endpoint(hub, "{\"url\":\"" + receiver.url() + "\"}").get("secret").asText();
                id = customer(hub, "Survivor");
                rename(hub, id, "Survivor 2");
                rename(hub, id, "Survivor 3");
                await().atMost(PATIENCE).until(() -> receiver.forAggregate(id).size() >= 3);
            }
            int before = receiver.forAggregate(id).size();
            up.set(true);
            try (TestHub hub = TestHub.start(settings)) {
                List<Received> received = await().atMost(PATIENCE).until(() -> receiver.forAggregate(id),
                        r -> r.stream().anyMatch(request -> request.json().path("aggregateversion").asInt() == 3));
                assertThat(received.size()).isGreaterThan(before);
                assertThat(received.stream().map(r -> r.json().path("aggregateversion").asInt()).toList()).isSorted();
                for (Received request : received) {
                    request.verify(secret);
                }
                await().atMost(PATIENCE).until(() -> hub.queryLong("SELECT count(*) FROM webhook_deliveries WHERE"
                        + " aggregate_id = ? AND status = 'succeeded'", id) == 3);
                assertThat(hub.count("dead_letters")).isZero();
            }
        }
    }
}
