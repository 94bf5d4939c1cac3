package dev.herald.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import dev.herald.trace.Traces;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * A projection whose SQL fails for an event stops there (status failed, the error, a dead letter of stage
 * projection), applying the events before it and none after; retried (its own API or the dead-letter API) it goes on
 * from that event, each event counted once; a discarded dead letter skips that event alone. The failed apply is an
 * error span of the event's trace; an event applied again after its batch was rolled back is one span with its
 * attempts, and an operator's retry a new span linked to the failed one.
 */
class ProjectionFailureTest {

    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String STORED_SPAN = "00f067aa0ba902b7";

    @AutoClose
    private static final TestHub hub = tracedHub();

    private static TestHub tracedHub() {
        Traces.exportForTests(SPANS);
        try {
            return TestHub.start(Map.of());
        } finally {
            Traces.exportForTests(null);
        }
    }

    @Test
    void aFailingEventStopsTheProjectionUntilRetriedAndNothingIsSkippedOrCountedTwice() throws Exception {
        String ada = "ada-" + UUID.randomUUID();
        String poison = "poison-" + UUID.randomUUID();
        refusePoison(true);
        TopicReader topic = new TopicReader(hub.brokers(), OrderTotals.TOPIC);
        UUID stoppedAt;
        try (Connection batch = hub.dataSource().getConnection()) {
            batch.setAutoCommit(false); // one commit: the four events reach the projection in one batch
            OrderTotals.insertCreated(batch, ada, new BigDecimal("1.00"));
            OrderTotals.insertCreated(batch, ada, new BigDecimal("2.00"));
            stoppedAt = OrderTotals.insertCreated(batch, poison, new BigDecimal("4.00"));
            OrderTotals.insertCreated(batch, ada, new BigDecimal("8.00"));
            batch.commit();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> "failed".equals(status()));
        JsonNode failed = hub.http.get(OrderTotals.PROJECTION).json();
        assertThat(failed.get("last_error").asText()).contains(stoppedAt.toString()).contains("refuse_poison");
        assertThat(failed.get("failed_event_id").asText()).isEqualTo(stoppedAt.toString());
        assertThat(failed.get("lag").asLong()).isEqualTo(2);
        // the events before it in its batch are applied, none after it, and it stays so
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> "failed".equals(status())
                && total(ada).compareTo(new BigDecimal("3.00")) == 0);
        // only committed changes reach the output topic: none of the batch's first, rolled-back try
        await().atMost(Duration.ofSeconds(20)).until(() -> OrderTotals.placedCounts(topic, ada).size() == 2);
        JsonNode deadLetter = openDeadLetter(stoppedAt);
        assertThat(deadLetter.get("destination").asText()).isEqualTo("customer-order-totals");
        assertThat(deadLetter.get("failureReason").asText()).contains("refuse_poison");
        assertThat(hub.metricSum("herald_projection_failed", "customer-order-totals")).isEqualTo(1.0);

        assertThat(hub.http.post(OrderTotals.PROJECTION + "/retry", "").status()).isEqualTo(202);
        // still refused: it stops at the same event again, with a new dead letter
        await().atMost(Duration.ofSeconds(20)).until(() -> "failed".equals(status())
                && hub.queryLong("SELECT count(*) FROM dead_letters WHERE stage = 'projection' AND event_id = ?",
                        stoppedAt) == 2);
        refusePoison(false);
        Response retried = hub.http.post("/api/dead-letters/" + openDeadLetter(stoppedAt).get("id").asLong()
                + "/retry", "");
        assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> OrderTotals.exact(hub));
        assertThat(total(ada)).isEqualByComparingTo("11.00");
        await().atMost(Duration.ofSeconds(20)).until(() -> OrderTotals.placedCounts(topic, ada).size() == 3);
        assertThat(OrderTotals.placedCounts(topic, ada)).containsExactly(1, 2, 3);
        assertThat(OrderTotals.placedCounts(topic, poison)).containsExactly(1);
        topic.close();
        assertThat(total(poison)).isEqualByComparingTo("4.00");
        assertThat(hub.queryLong("SELECT count(*) FROM dead_letters WHERE stage = 'projection' AND resolution IS NULL"))
                .isZero();
        assertThat(hub.http.post(OrderTotals.PROJECTION + "/retry", "").status()).isEqualTo(409);
    }

    @Test
    void aDiscardedDeadLetterSkipsThatEventAlone() throws Exception {
        String bob = "bob-" + UUID.randomUUID();
        String poison = "poison-" + UUID.randomUUID();
        await().atMost(Duration.ofSeconds(20)).until(() -> "live".equals(status()));
        refusePoison(true);
        UUID skipped;
        try (Connection connection = hub.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            skipped = OrderTotals.insertCreated(connection, poison, new BigDecimal("4.00"));
            traced(connection, skipped, TRACE);
            connection.commit();
            OrderTotals.insertCreated(connection, bob, new BigDecimal("16.00"));
            connection.commit();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> "failed".equals(status()));
        // the failed apply is a span of the event's trace, child of the context stored with it, with the error
        SpanData failedApply = await().atMost(Duration.ofSeconds(20)).until(() -> SPANS.getFinishedSpanItems()
                .stream().filter(s -> s.getTraceId().equals(TRACE)).toList(), s -> !s.isEmpty()).get(0);
        assertThat(failedApply.getName()).isEqualTo("projection customer-order-totals apply");
        assertThat(failedApply.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(failedApply.getParentSpanId()).isEqualTo(STORED_SPAN);
        assertThat(failedApply.getAttributes().get(Traces.EVENT_ID)).isEqualTo(skipped.toString());
        assertThat(failedApply.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(failedApply.getStatus().getDescription()).contains("refuse_poison");
        assertThat(failedApply.getEvents()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("exception"));
        refusePoison(false);
        Response discarded = hub.http.delete("/api/dead-letters/" + openDeadLetter(skipped).get("id").asLong());
        assertThat(discarded.status()).as(discarded.toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> "live".equals(status())
                && hub.http.get(OrderTotals.PROJECTION).json().get("lag").asLong() == 0);
        assertThat(total(bob)).isEqualByComparingTo("16.00");
        assertThat(hub.http.get("/api/customers/" + poison + "/order-totals").status()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(20)).until(() -> OrderTotals.exact(hub));
    }

    @Test
    void anEventAppliedAgainAfterItsBatchRolledBackIsOneSpanWithItsAttempts() throws Exception {
        String cy = "cy-" + UUID.randomUUID();
        String poison = "poison-" + UUID.randomUUID();
        String fineTrace = "5bf92f3577b34da6a3ce929d0e0e4741";
        String poisonTrace = "5bf92f3577b34da6a3ce929d0e0e4742";
        await().atMost(Duration.ofSeconds(20)).until(() -> "live".equals(status()));
        refusePoison(true);
        UUID stoppedAt;
        try (Connection batch = hub.dataSource().getConnection()) {
            batch.setAutoCommit(false); // one commit: one batch, rolled back at the poison, cy's event applied again
            traced(batch, OrderTotals.insertCreated(batch, cy, new BigDecimal("1.00")), fineTrace);
            stoppedAt = OrderTotals.insertCreated(batch, poison, new BigDecimal("2.00"));
            traced(batch, stoppedAt, poisonTrace);
            batch.commit();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> "failed".equals(status()));
        // cy's event: applied, rolled back with its batch, applied again and committed: one span, two attempts
        assertThat(applies(fineTrace)).singleElement().satisfies(span -> {
            assertThat(span.getParentSpanId()).isEqualTo(STORED_SPAN);
            assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            assertThat(span.getAttributes().get(ApplySpans.ATTEMPTS)).isEqualTo(2L);
            assertThat(span.getEvents()).extracting(EventData::getName)
                    .containsExactly("attempt", "rolled back", "attempt");
            assertThat(span.getEvents().get(2).getAttributes().get(ApplySpans.ATTEMPT)).isEqualTo(2L);
        });
        // the poison: failed in the batch, and again first of the next one, where the projection stopped
        SpanData failed = await().atMost(Duration.ofSeconds(20)).until(() -> applies(poisonTrace),
                s -> !s.isEmpty()).get(0);
        assertThat(applies(poisonTrace)).hasSize(1);
        assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(failed.getAttributes().get(ApplySpans.ATTEMPTS)).isEqualTo(2L);
        assertThat(failed.getEvents()).filteredOn(e -> e.getName().equals("exception")).hasSize(2);

        // an operator's retry: a new delivery, a new span of the same trace, linked to the failed one
        refusePoison(false);
        Response retried = hub.http.post("/api/dead-letters/" + openDeadLetter(stoppedAt).get("id").asLong()
                + "/retry", "");
        assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
        SpanData again = await().atMost(Duration.ofSeconds(20)).until(() -> applies(poisonTrace),
                s -> s.size() == 2).get(1);
        assertThat(again.getParentSpanId()).isEqualTo(STORED_SPAN);
        assertThat(again.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(again.getLinks()).singleElement().satisfies(link -> assertThat(link.getSpanContext().getSpanId())
                .isEqualTo(failed.getSpanId()));
        await().atMost(Duration.ofSeconds(20)).until(() -> "live".equals(status()) && OrderTotals.exact(hub));
    }

    /** The finished apply spans of a trace, in the order they ended. */
    private static List<SpanData> applies(String trace) {
        return SPANS.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(trace)
                && s.getName().equals("projection customer-order-totals apply")).toList();
    }

    /** The event was produced in trace {@code trace}, by span {@value #STORED_SPAN}. */
    private static void traced(Connection connection, UUID eventId, String trace) throws SQLException {
        try (PreparedStatement traced = connection.prepareStatement(
                "UPDATE events SET traceparent = ? WHERE event_id = ?")) {
            traced.setString(1, "00-" + trace + "-" + STORED_SPAN + "-01");
            traced.setObject(2, eventId);
            traced.executeUpdate();
        }
    }

    private static String status() {
        return hub.http.get(OrderTotals.PROJECTION).json().get("status").asText();
    }

    private static BigDecimal total(String customer) {
        return hub.http.get("/api/customers/" + customer + "/order-totals").json().get("total_placed").decimalValue();
    }

    private static JsonNode openDeadLetter(UUID eventId) {
        JsonNode items = hub.http.get("/api/dead-letters?stage=projection&status=open").json().get("items");
        for (JsonNode item : items) {
            if (item.get("eventId").asText().equals(eventId.toString())) {
                return item;
            }
        }
        throw new AssertionError("no open dead letter for " + eventId + " in " + items);
    }

    /**
     * The read table refuses new customers named poison-*: the projection's SQL fails for their events (NOT VALID: the
     * poison customers an earlier test's retry applied stay).
     */
    private static void refusePoison(boolean refuse) throws SQLException {
        try (Connection connection = hub.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(refuse ? "ALTER TABLE customer_order_totals ADD CONSTRAINT refuse_poison"
                    + " CHECK (customer_id NOT LIKE 'poison-%') NOT VALID"
                    : "ALTER TABLE customer_order_totals DROP CONSTRAINT refuse_poison");
        }
    }
}
