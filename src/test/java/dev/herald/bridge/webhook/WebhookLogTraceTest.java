package dev.herald.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.bridge.webhook.WebhookReceiver.Answer;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.LogLines;
import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The webhook stage's lines about an event, written on its own threads long after the request, carry the trace id
 * of the request the event came from (MDC {@code trace_id}, from the context stored in its envelope): the endpoint
 * an attempt disabled, and the event's dead letter once its retries are spent. Tracing off, as by default.
 */
class WebhookLogTraceTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void theLinesAboutAnEventsFailedDeliveriesCarryItsTraceId() throws Exception {
        try (LogLines disabled = new LogLines(AttemptRecorder.class);
                LogLines deadLettered = new LogLines(DeadLetterStore.class);
                TestHub hub = WebhookHubs.start(Map.of());
                WebhookReceiver failing = new WebhookReceiver().answering(request -> Answer.status(500));
                WebhookReceiver gone = new WebhookReceiver().answering(request -> Answer.status(410))) {
            WebhookHubs.endpoint(hub, "{\"url\":\"" + failing.url() + "\",\"event_types\":[\"customer.*\"]}");
            String goneId = WebhookHubs.endpoint(hub, "{\"url\":\"" + gone.url()
                    + "\",\"event_types\":[\"customer.*\"]}").get("id").asText();
            Response created = hub.http.post("/api/customers", "{\"full_name\":\"Ada Traced\",\"email\":\"ada@example.com\"}",
                    "traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String customer = created.json().get("aggregate_id").asText();

            await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryLong(
                    "SELECT count(*) FROM dead_letters WHERE stage = 'webhook' AND aggregate_id = ?", customer) == 1);
            String eventId = failing.forAggregate(customer).get(0).json().get("id").asText();
            assertThat(deadLettered.containing("event " + eventId)).singleElement()
                    .satisfies(line -> assertThat(LogLines.traceId(line)).isEqualTo(TRACE));
            await().atMost(Duration.ofSeconds(30)).until(() -> !disabled.containing(goneId).isEmpty());
            assertThat(disabled.containing("webhook endpoint " + goneId + " disabled")).singleElement()
                    .satisfies(line -> assertThat(LogLines.traceId(line)).isEqualTo(TRACE));
        }
    }
}
