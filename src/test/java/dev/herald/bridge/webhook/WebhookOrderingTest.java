package dev.herald.bridge.webhook;

import static dev.herald.bridge.webhook.WebhookHubs.customer;
import static dev.herald.bridge.webhook.WebhookHubs.endpoint;
import static dev.herald.bridge.webhook.WebhookHubs.rename;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.bridge.webhook.WebhookReceiver.Answer;
import dev.herald.bridge.webhook.WebhookReceiver.Received;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Strict order per (endpoint, aggregate); other aggregates and other endpoints are not held up. */
class WebhookOrderingTest extends WebhookHubTest {

    @BeforeAll
    static void start() {
        // retries every 100 ms for a long while: the blocked event stays at the head of its line
        String schedule = String.join(",", Collections.nCopies(200, "100"));
        // a hanging request stays outstanding for the whole test: only the bulkhead protects the others
        hub = WebhookHubs.start(Map.of("herald.webhooks.retry-schedule", "0," + schedule,
                "herald.webhooks.timeout", "60000", "herald.webhooks.max-in-flight-per-endpoint", "4"));
    }

    @Test
    void anAggregateWaitsForItsFailingEventWhileAnotherFlows() {
        AtomicBoolean gate = new AtomicBoolean(false);
        AtomicReference<String> blocked = new AtomicReference<>("");
        try (WebhookReceiver receiver = new WebhookReceiver().answering(request ->
                !gate.get() && request.json().path("partitionkey").asText().equals(blocked.get())
                        && request.json().path("aggregateversion").asInt() == 2 ? Answer.status(500) : Answer.ok())) {
            endpoint(hub, "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"customer.*\"]}");
            String a = customer(hub, "Aggregate A");
            blocked.set(a);
            String b = customer(hub, "Aggregate B");
            for (int i = 2; i <= 5; i++) {
                rename(hub, a, "A " + i);
                rename(hub, b, "B " + i);
            }

            // B flows completely while A's version 2 keeps failing
            await().atMost(PATIENCE).until(() -> versions(receiver.forAggregate(b)), v -> v.size() == 5);
            await().atMost(PATIENCE).until(() -> receiver.forAggregate(a).size() >= 4);
            assertThat(versions(receiver.forAggregate(a))).containsOnly(1, 2);

            gate.set(true);
            List<Received> deliveredA = await().atMost(PATIENCE).until(() -> receiver.forAggregate(a),
                    r -> versions(r).contains(5));
            List<Integer> seen = versions(deliveredA);
            assertThat(seen).isSorted();
            assertThat(seen.stream().distinct().toList()).containsExactly(1, 2, 3, 4, 5);
            assertThat(seen.subList(seen.indexOf(3), seen.size())).containsExactly(3, 4, 5);
            assertThat(versions(receiver.forAggregate(b))).containsExactly(1, 2, 3, 4, 5);
        }
    }

    @Test
    void anEndpointThatHangsDoesNotHoldUpAHealthyOne() {
        try (WebhookReceiver hanging = new WebhookReceiver().answering(request -> WebhookReceiver.HANG);
                WebhookReceiver healthy = new WebhookReceiver()) {
            endpoint(hub, "{\"url\":\"" + hanging.url() + "\",\"event_types\":[\"customer.created\"]}");
            endpoint(hub, "{\"url\":\"" + healthy.url() + "\",\"event_types\":[\"customer.created\"]}");
            List<String> customers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                customers.add(customer(hub, "Buyer " + i));
            }

            // all 20 reach the healthy endpoint while the hanging one still holds its first requests (timeout 60 s)
            await().atMost(PATIENCE).until(() -> customers.stream().allMatch(id -> healthy.forAggregate(id).size() == 1));
            assertThat(hanging.received()).isNotEmpty().hasSizeLessThanOrEqualTo(4);
        }
    }

    private static List<Integer> versions(List<Received> received) {
        return received.stream().map(r -> r.json().path("aggregateversion").asInt()).toList();
    }
}
