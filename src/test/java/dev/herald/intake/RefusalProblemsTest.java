package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.command.Refusal;
import dev.herald.command.Refusal.Reason;
import dev.herald.command.Unavailable;
import dev.herald.http.Problem;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The store's refusals in the domain's words become problems with their statuses at the edge, and nowhere else. */
class RefusalProblemsTest {

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
        "UNKNOWN_AGGREGATE, 404, not-found",
        "VERSION_MISMATCH, 412, version-mismatch",
        "STATE_CONFLICT, 409, state-conflict",
        "IDEMPOTENCY_KEY_REUSED, 422, idempotency-key-reused",
        "EVENT_REFUSED, 422, event-refused",
    })
    void eachReasonHasItsStatus(Reason reason, int status, String type) {
        Problem problem = ProblemResponder.problemOf(new Refusal(reason, "why"));
        assertThat(problem.status()).isEqualTo(status);
        assertThat(problem.type()).isEqualTo("urn:herald:problem:" + type);
        assertThat(problem.detail()).isEqualTo("why");
    }

    @ParameterizedTest(name = "{0} -> 503 {1}")
    @CsvSource({
        "OVERLOADED, overloaded",
        "DATABASE_UNAVAILABLE, database-unavailable",
        "BROKER_UNAVAILABLE, broker-unavailable",
        "PUBLISH_TIMEOUT, publish-timeout",
        "OUTCOME_UNKNOWN, outcome-unknown",
        "SHUTTING_DOWN, shutting-down",
        "INTERRUPTED, interrupted",
    })
    void whatCouldNotBeTakenNowIsA503WithRetryAfter(Unavailable.Reason reason, String type) {
        Problem problem = ProblemResponder.toProblem(new Unavailable(reason, "why", null), 7);
        assertThat(problem.status()).isEqualTo(503);
        assertThat(problem.type()).isEqualTo("urn:herald:problem:" + type);
        assertThat(problem.headers()).containsEntry("Retry-After", "7");
    }

    @Test
    void aDatabaseRefusalIsToldByItsSqlState() {
        Refusal unique = new Refusal(Reason.DATABASE_REFUSED, "duplicate", Map.of(),
                new SQLException("duplicate key value violates unique constraint", "23505"));
        assertThat(ProblemResponder.toProblem(unique, 5).status()).isEqualTo(409);
        Refusal unknown = new Refusal(Reason.DATABASE_REFUSED, "odd", Map.of(), new SQLException("odd", "XX000"));
        assertThat(ProblemResponder.toProblem(unknown, 5).status()).isEqualTo(500);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"VERSION_MISMATCH", "STATE_CONFLICT"})
    void theFactsTheClientCanActOnComeAlong(Reason reason) {
        Problem problem = ProblemResponder.problemOf(new Refusal(reason, "why", Map.of("currentVersion", 3)));
        assertThat(problem.extensions()).containsEntry("currentVersion", 3);
    }
}
