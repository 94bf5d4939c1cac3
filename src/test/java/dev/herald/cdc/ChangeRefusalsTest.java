package dev.herald.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.command.Refusal;
import dev.herald.command.Unavailable;
import dev.herald.contract.EventContractViolation;
import dev.herald.http.JsonBodies;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which failures of a CDC source's change are dead-lettered, and what a dead letter keeps of the change. */
class ChangeRefusalsTest {

    @Test
    void refusalsAreForGoodOutagesAreNot() {
        assertThat(ChangeRefusals.permanent(new EventContractViolation("legacy-customer.created", 1,
                List.of(new EventContractViolation.Error("/credit", "maximum", "/credit: too large"))))).isTrue();
        assertThat(ChangeRefusals.permanent(new ChangeRefused("the row has no customer_no"))).isTrue();
        assertThat(ChangeRefusals.permanent(new Refusal(Refusal.Reason.EVENT_REFUSED, "too large"))).isTrue();
        assertThat(ChangeRefusals.permanent(new Refusal(Refusal.Reason.DATABASE_REFUSED, "bad data", Map.of(),
                new SQLException("unsupported Unicode escape sequence", "22P05")))).isTrue();
        assertThat(ChangeRefusals.permanent(new Refusal(Refusal.Reason.DATABASE_REFUSED, "duplicate", Map.of(),
                new SQLException("duplicate key", "23505")))).isFalse();
        assertThat(ChangeRefusals.permanent(new Unavailable(Unavailable.Reason.BROKER_UNAVAILABLE, "Kafka down",
                null))).isFalse();
        assertThat(ChangeRefusals.permanent(new IllegalStateException("wrapped", new SQLException("gone", "08006"))))
                .isFalse();
        assertThat(ChangeRefusals.permanent(new IllegalStateException("anything else"))).isFalse();
        assertThat(ChangeRefusals.permanent(null)).isFalse();
    }

    @Test
    void aDeadLetterKeepsTheChangeAsARetryGivesItAgain() throws Exception {
        ObjectNode row = JsonBodies.MAPPER.createObjectNode().put("customer_no", "C-9").put("credit", 5000);
        Change change = new Change("legacy-customers", "d", 23072568L, "public.legacy_customers", "C-9", row,
                "legacy-customer.deleted");
        Change kept = Change.of(JsonBodies.MAPPER.readTree(change.json()));
        assertThat(kept.position()).isEqualTo("23072568/public.legacy_customers/C-9").isEqualTo(change.position());
        assertThat(kept.uuid()).isEqualTo(change.uuid());
        assertThat(kept.row()).isEqualTo(row);
        Map<String, Object> headers = kept.asDebeziumGave();
        assertThat(headers).containsEntry(ChangeEndpoint.OPERATION, "d").containsEntry(ChangeEndpoint.BEFORE, row);
        assertThat(headers.get(ChangeEndpoint.SOURCE)).isEqualTo(Map.of("schema", "public", "table", "legacy_customers",
                "lsn", 23072568L));
        // a snapshot row's identity is its table and key, whatever its LSN
        assertThat(new Change("s", "r", 5L, "public.t", "K", row, null).position()).isEqualTo("snapshot/public.t/K");
    }
}
