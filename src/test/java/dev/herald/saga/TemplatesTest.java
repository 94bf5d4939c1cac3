package dev.herald.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A saga call's templates, filled from its data; and the settings' rules. */
class TemplatesTest {

    private static final JsonNode DATA = SagaStore.json("""
            {"order_id": "o 1/2", "total": 12.50, "items": [{"product_id": "book", "quantity": 2}],
             "payment_id": "pay-7", "note": "say \\"hi\\""}""");

    @Test
    void aPathTakesEachValueAsOneEncodedSegment() {
        assertThat(Templates.path("/payments/{payment_id}/refund", DATA)).isEqualTo("/payments/pay-7/refund");
        assertThat(Templates.path("/orders/{order_id}", DATA)).isEqualTo("/orders/o%201%2F2");
    }

    @Test
    void aBodyPlaceholderAloneBecomesTheValueOfItsTypeAndInsideTextItsText() {
        assertThat(SagaStore.json(Templates.body("""
                {"amount": "{total}", "items": "{items}", "ref": "order {order_id}", "note": "{note}", "fixed": 1}""",
                DATA))).isEqualTo(SagaStore.json("""
                {"amount": 12.50, "items": [{"product_id": "book", "quantity": 2}], "ref": "order o 1/2",
                 "note": "say \\"hi\\"", "fixed": 1}"""));
    }

    @Test
    void aMissingFieldIsNamed() {
        assertThatThrownBy(() -> Templates.path("/reservations/{reservation_id}", DATA))
                .hasMessageStartingWith("the saga's data has no reservation_id (fields: order_id, total");
    }

    @Test
    void backoffDoublesUpToItsLimitAndTheLeaseMustOutlastACall() {
        SagaSettings settings = new SagaSettings(Duration.ofMillis(200), Duration.ofSeconds(60),
                Duration.ofMillis(500), Duration.ofMillis(3000), Duration.ofSeconds(20), 1, "i");
        assertThat(settings.backoff(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.backoff(3)).isEqualTo(Duration.ofMillis(2000));
        assertThat(settings.backoff(9)).isEqualTo(Duration.ofMillis(3000));
        settings.checkLease(Duration.ofSeconds(9));
        assertThatThrownBy(() -> settings.checkLease(Duration.ofSeconds(10)))
                .hasMessageContaining("herald.sagas.lease (20000 ms) must be longer than twice herald.sagas.call-timeout");
    }
}
