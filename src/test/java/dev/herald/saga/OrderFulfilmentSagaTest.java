package dev.herald.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.saga.FakeService.Reply;
import dev.herald.saga.FakeService.Request;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped order-fulfilment saga (routes/order-fulfilment.camel.yaml) against a payment and an inventory service on
 * loopback: what each order's amount and items make them answer decides the path the saga takes.
 */
class OrderFulfilmentSagaTest {

    /** Amounts the payment service treats specially. */
    static final int DECLINED = 13;
    static final int UNAVAILABLE_TWICE = 503;
    static final int HANGS = 999;
    /** The charge happens, but no answer ever comes back. */
    static final int CHARGED_NO_ANSWER = 888;
    /** Its refund fails (500) while refundsDown. */
    static final int REFUND_FAILS = 77;

    private static final java.util.Set<String> FRAGILE_PAYMENTS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Idempotency-Keys of charges made whose answers were lost. */
    private static final java.util.Set<String> UNANSWERED_CHARGES = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** ... and of reservations made whose answers were lost (product RESERVED_NO_ANSWER). */
    private static final java.util.Set<String> UNANSWERED_RESERVATIONS =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final String RESERVED_NO_ANSWER = "reserved-no-answer";
    private static volatile boolean refundsDown = true;

    private static final AtomicInteger IDS = new AtomicInteger();
    private static FakeService payment;
    private static FakeService inventory;
    private static TestHub hub;
    private static String customer;

    @BeforeAll
    static void start() {
        payment = new FakeService(OrderFulfilmentSagaTest::pay);
        inventory = new FakeService(OrderFulfilmentSagaTest::reserve);
        hub = TestHub.start(Map.of(
                "herald.services.payment.url", payment.url(),
                "herald.services.inventory.url", inventory.url() + "/",
                "herald.sagas.interval", "50",
                "herald.sagas.retry-backoff", "100",
                "herald.sagas.call-timeout", "1000",
                "herald.sagas.step-deadline", "3000"));
        Response created = hub.http.post("/api/customers", "{\"full_name\":\"Saga Buyer\",\"email\":\"saga@example.com\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        customer = created.json().path("aggregate_id").asText();
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        payment.close();
        inventory.close();
    }

    private static Reply pay(Request request, int attempt) {
        if (request.path().startsWith("/payments/by-key/")) {
            // a refund by the charge's Idempotency-Key: 404 when no charge was made with it
            String key = request.path().substring("/payments/by-key/".length()).replaceFirst("/refund$", "");
            return UNANSWERED_CHARGES.contains(key) || payment.effects().containsKey(key)
                    ? new Reply(200, "{\"refunded\": true}") : new Reply(404, "{\"error\": \"no such charge\"}");
        }
        if (request.path().endsWith("/refund")) {
            boolean fragile = FRAGILE_PAYMENTS.stream().anyMatch(id -> request.path().equals("/payments/" + id
                    + "/refund"));
            return fragile && refundsDown ? new Reply(500, "{\"error\": \"ledger down\"}")
                    : new Reply(200, "{\"refunded\": true}");
        }
        int amount = request.body().path("amount").asInt();
        if (amount == DECLINED) {
            return new Reply(402, "{\"error\": \"card declined\"}");
        }
        if (amount == UNAVAILABLE_TWICE && attempt < 2) {
            return new Reply(503, "{\"error\": \"try later\"}");
        }
        if (amount == HANGS) {
            return Reply.HANG;
        }
        if (amount == CHARGED_NO_ANSWER) {
            UNANSWERED_CHARGES.add(request.idempotencyKey());
            return Reply.HANG;
        }
        String id = "pay-" + IDS.incrementAndGet();
        if (amount == REFUND_FAILS) {
            FRAGILE_PAYMENTS.add(id);
        }
        return new Reply(201, "{\"payment_id\": \"" + id + "\", \"status\": \"charged\"}");
    }

    private static Reply reserve(Request request, int attempt) {
        if (request.path().startsWith("/reservations/by-key/")) {
            String key = request.path().substring("/reservations/by-key/".length());
            return UNANSWERED_RESERVATIONS.contains(key) ? new Reply(204, "")
                    : new Reply(404, "{\"error\": \"no such reservation\"}");
        }
        if (request.method().equals("DELETE")) {
            return new Reply(204, "");
        }
        for (JsonNode item : request.body().path("items")) {
            if (item.path("product_id").asText().equals("sold-out")) {
                return new Reply(409, "{\"error\": \"unavailable\"}");
            }
            if (item.path("product_id").asText().equals(RESERVED_NO_ANSWER)) {
                UNANSWERED_RESERVATIONS.add(request.idempotencyKey());
                return Reply.HANG;
            }
        }
        return new Reply(201, "{\"reservation_id\": \"res-" + IDS.incrementAndGet() + "\"}");
    }

    @Test
    void aPaidAndReservedOrderIsConfirmed() {
        String order = place(42, "book");
        JsonNode placed = awaitOrder(order, "confirmed");
        assertThat(placed.path("cancel_reason").isNull()).isTrue();

        JsonNode saga = sagaOf(order);
        assertThat(saga.path("status").asText()).isEqualTo("completed");
        assertThat(calls(saga)).containsExactly("payment.action succeeded", "inventory.action succeeded",
                "completed.command succeeded");
        List<Request> charges = chargesOf(order);
        assertThat(charges).hasSize(1);
        assertThat(charges.get(0).body().path("amount").asInt()).isEqualTo(42);
        List<Request> reservations = reservationsOf(order);
        assertThat(reservations).hasSize(1);
        assertThat(reservations.get(0).body().path("items").get(0).path("product_id").asText()).isEqualTo("book");
        assertThat(charges.get(0).idempotencyKey()).isNotEqualTo(reservations.get(0).idempotencyKey());
        assertThat(hub.http.get("/api/sagas?type=order-fulfilment&status=completed&correlation=" + order).json())
                .hasSize(1);
        assertThat(hub.http.get("/api/sagas?status=failed&correlation=" + order).json()).isEmpty();
        assertThat(hub.metricSum("herald_sagas_ended_total", "status=\"completed\"")).isGreaterThanOrEqualTo(1);
        assertThat(hub.metricSum("herald_sagas_call_seconds_count", "service=\"payment\"")).isGreaterThanOrEqualTo(1);
        assertThat(hub.metricSum("herald_sagas_call_seconds_count", "service=\"herald\"")).isGreaterThanOrEqualTo(1);
    }

    /** The calls continue the trace of the request that placed the order (W3C traceparent, a span of their own). */
    @Test
    void theSagasCallsCarryTheTraceOfTheOrder() {
        String trace = "0af7651916cd43dd8448eb211c80319c";
        Response placed = hub.http.post("/api/orders", "{\"customer_id\":\"" + customer + "\",\"items\":[{"
                + "\"product_id\":\"pen\",\"quantity\":1,\"unit_price\":3}]}",
                "traceparent", "00-" + trace + "-b7ad6b7169203331-01");
        assertThat(placed.status()).as(placed.toString()).isIn(201, 202);
        String order = placed.json().path("aggregate_id").asText();
        awaitOrder(order, "confirmed");
        List<Request> calls = new java.util.ArrayList<>(chargesOf(order));
        calls.addAll(reservationsOf(order));
        assertThat(calls).hasSize(2).allSatisfy(call -> {
            assertThat(call.traceparent()).as("traceparent of " + call.path()).startsWith("00-" + trace + "-")
                    .doesNotContain("b7ad6b7169203331");
        });
        assertThat(calls.get(0).traceparent()).isNotEqualTo(calls.get(1).traceparent());
    }

    @Test
    void aCompensationThatCannotBeDoneFailsTheSagaUntilAnOperatorRetriesIt() {
        String order = place(REFUND_FAILS, "sold-out");
        awaitOrder(order, "placed");
        JsonNode failed = sagaOf(order);
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(calls(failed)).containsExactly("payment.action succeeded", "inventory.action declined",
                "payment.compensation timed_out");
        String id = failed.path("saga_id").asText();
        JsonNode deadLetters = hub.http.get("/api/dead-letters?stage=saga").json();
        assertThat(deadLetters.toString()).contains(id);
        assertThat(hub.http.post("/api/sagas/" + UUID.randomUUID() + "/retry", "").status()).isEqualTo(404);

        refundsDown = false;
        Response retried = hub.http.post("/api/sagas/" + id + "/retry", "");
        assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
        assertThat(hub.http.post("/api/sagas/" + id + "/retry", "").status()).isEqualTo(409);
        await().atMost(Duration.ofSeconds(30)).until(() -> "compensated".equals(
                hub.http.get("/api/sagas/" + id).json().path("status").asText()));
        JsonNode cancelled = hub.http.get("/api/orders/" + order).json();
        assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.path("cancel_reason").asText()).isEqualTo("inventory_unavailable");
        String paymentId = failed.path("data").path("payment_id").asText();
        assertThat(payment.effects().keySet().stream().filter(key -> key.contains(id) && key.endsWith("compensation")))
                .hasSize(1);
        assertThat(payment.requestsTo("POST", "/payments/" + paymentId + "/refund"))
                .extracting(Request::idempotencyKey).containsOnly("saga-" + id + "-payment-compensation");
    }

    @Test
    void aDeclinedPaymentCancelsTheOrderWithoutReservingAnything() {
        JsonNode saga = cancelled(DECLINED, "book", "payment_failed");
        String order = saga.path("correlation_id").asText();
        assertThat(calls(saga)).containsExactly("payment.action declined", "compensated.command succeeded");
        assertThat(reservationsOf(order)).isEmpty();
        assertThat(payment.requests().stream().filter(r -> r.path().endsWith("/refund"))
                .filter(r -> r.idempotencyKey().contains(saga.path("saga_id").asText()))).isEmpty();
    }

    @Test
    void unavailableItemsRefundThePaymentOnceAndCancelTheOrder() {
        JsonNode saga = cancelled(30, "sold-out", "inventory_unavailable");
        String order = saga.path("correlation_id").asText();
        assertThat(calls(saga)).containsExactly("payment.action succeeded", "inventory.action declined",
                "payment.compensation succeeded", "compensated.command succeeded");
        String paymentId = saga.path("data").path("payment_id").asText();
        List<Request> refunds = payment.requestsTo("POST", "/payments/" + paymentId + "/refund");
        assertThat(refunds).hasSize(1);
        assertThat(chargesOf(order)).hasSize(1);
        assertThat(inventory.requestsTo("DELETE", "/reservations")).noneMatch(r -> r.idempotencyKey()
                .contains(saga.path("saga_id").asText()));
    }

    @Test
    void aPaymentServiceFailingTwiceChargesOnceAndTheOrderIsConfirmed() {
        String order = place(UNAVAILABLE_TWICE, "book");
        awaitOrder(order, "confirmed");

        JsonNode saga = sagaOf(order);
        JsonNode charge = saga.path("steps").get(0);
        assertThat(charge.path("attempts").asInt()).isEqualTo(3);
        assertThat(charge.path("outcome").asText()).isEqualTo("succeeded");
        List<Request> charges = chargesOf(order);
        assertThat(charges).hasSize(3);
        assertThat(charges).extracting(Request::idempotencyKey).containsOnly(charges.get(0).idempotencyKey());
        assertThat(payment.effects().keySet()).containsOnlyOnce(charges.get(0).idempotencyKey());
    }

    @Test
    void aPaymentServiceThatNeverAnswersCancelsTheOrderAfterTheStepDeadline() {
        JsonNode saga = cancelled(HANGS, "book", "timeout");
        String order = saga.path("correlation_id").asText();
        JsonNode charge = saga.path("steps").get(0);
        assertThat(charge.path("outcome").asText()).isEqualTo("timed_out");
        assertThat(charge.path("attempts").asInt()).isGreaterThan(1);
        assertThat(charge.path("last_error").asText()).isNotEmpty();
        assertThat(reservationsOf(order)).isEmpty();
        // it may have charged: the refund goes by the charge's key, and the service's 404 says nothing to undo
        String chargeKey = "saga-" + saga.path("saga_id").asText() + "-payment-action";
        assertThat(calls(saga)).containsExactly("payment.action timed_out", "payment.compensation succeeded",
                "compensated.command succeeded");
        assertThat(payment.requestsTo("POST", "/payments/by-key/" + chargeKey + "/refund")).hasSize(1);
        assertThat(saga.path("steps").get(1).path("last_status").asInt()).isEqualTo(404);
    }

    @Test
    void aChargeWhoseAnswerNeverCameIsRefundedByItsIdempotencyKey() {
        JsonNode saga = cancelled(CHARGED_NO_ANSWER, "book", "timeout");
        String order = saga.path("correlation_id").asText();
        assertThat(calls(saga)).containsExactly("payment.action timed_out", "payment.compensation succeeded",
                "compensated.command succeeded");
        List<Request> charges = chargesOf(order);
        String chargeKey = charges.get(0).idempotencyKey();
        assertThat(UNANSWERED_CHARGES).contains(chargeKey);
        List<Request> refunds = payment.requestsTo("POST", "/payments/by-key/" + chargeKey + "/refund");
        assertThat(refunds).hasSize(1);
        assertThat(refunds.get(0).idempotencyKey()).isEqualTo("saga-" + saga.path("saga_id").asText()
                + "-payment-compensation");
        assertThat(saga.path("steps").get(1).path("last_status").asInt()).isEqualTo(200);
        assertThat(saga.path("data").has("payment_id")).isFalse();
        assertThat(reservationsOf(order)).isEmpty();
    }

    @Test
    void aReservationWhoseAnswerNeverCameIsReleasedByItsKeyThenThePaymentRefunded() {
        JsonNode saga = cancelled(31, RESERVED_NO_ANSWER, "timeout");
        String id = saga.path("saga_id").asText();
        assertThat(calls(saga)).containsExactly("payment.action succeeded", "inventory.action timed_out",
                "inventory.compensation succeeded", "payment.compensation succeeded", "compensated.command succeeded");
        assertThat(UNANSWERED_RESERVATIONS).contains("saga-" + id + "-inventory-action");
        assertThat(inventory.requestsTo("DELETE", "/reservations/by-key/saga-" + id + "-inventory-action")).hasSize(1);
        String paymentId = saga.path("data").path("payment_id").asText();
        assertThat(payment.requestsTo("POST", "/payments/" + paymentId + "/refund")).extracting(Request::idempotencyKey)
                .containsExactly("saga-" + id + "-payment-compensation");
    }

    @Test
    void anUnknownSagaIsNotFound() {
        assertThat(hub.http.get("/api/sagas/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    private static String place(int amount, String product) {
        Response placed = hub.http.post("/api/orders", "{\"customer_id\":\"" + customer + "\",\"items\":[{"
                + "\"product_id\":\"" + product + "\",\"quantity\":1,\"unit_price\":" + amount + "}]}");
        assertThat(placed.status()).as(placed.toString()).isIn(201, 202);
        return placed.json().path("aggregate_id").asText();
    }

    /** An order placed, its saga compensated and the order cancelled with that reason: the saga. */
    private static JsonNode cancelled(int amount, String product, String reason) {
        String order = place(amount, product);
        assertThat(awaitOrder(order, "cancelled").path("cancel_reason").asText()).isEqualTo(reason);
        JsonNode saga = sagaOf(order);
        assertThat(saga.path("status").asText()).isEqualTo("compensated");
        assertThat(saga.path("reason").asText()).isEqualTo(reason);
        return saga;
    }

    private static JsonNode awaitOrder(String order, String status) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode sagas = hub.http.get("/api/sagas?correlation=" + order).json();
            return sagas.size() == 1 && !sagas.get(0).path("ended_at").isNull();
        });
        JsonNode now = hub.http.get("/api/orders/" + order).json();
        assertThat(now.path("status").asText()).as(now.toString()).isEqualTo(status);
        return now;
    }

    private static JsonNode sagaOf(String order) {
        JsonNode list = hub.http.get("/api/sagas?correlation=" + order).json();
        assertThat(list).hasSize(1);
        Response saga = hub.http.get("/api/sagas/" + list.get(0).path("saga_id").asText());
        assertThat(saga.status()).as(saga.toString()).isEqualTo(200);
        return saga.json();
    }

    private static List<String> calls(JsonNode saga) {
        return java.util.stream.StreamSupport.stream(saga.path("steps").spliterator(), false)
                .map(step -> step.path("step").asText() + "." + step.path("phase").asText() + " "
                        + step.path("outcome").asText())
                .toList();
    }

    private static List<Request> chargesOf(String order) {
        return payment.requestsTo("POST", "/payments").stream()
                .filter(r -> !r.path().endsWith("/refund") && order.equals(r.body().path("order_id").asText()))
                .toList();
    }

    private static List<Request> reservationsOf(String order) {
        return inventory.requestsTo("POST", "/reservations").stream()
                .filter(r -> order.equals(r.body().path("order_id").asText())).toList();
    }
}
