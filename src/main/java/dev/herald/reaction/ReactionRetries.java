package dev.herald.reaction;

import dev.herald.deadletter.DeadLetterStore;
import dev.herald.deadletter.RouteRedelivery;
import dev.herald.http.Problem;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;

/**
 * How an operator's retry of an {@code inbound} dead letter is delivered: the event as it was read (the dead
 * letter's {@code originalEvent}) runs through its reaction's route again, as if Kafka gave it once more (the inbox
 * makes that safe). Should it fail again, the operator hears why at once (409 refused for good, 503 not now) and the
 * dead letter stays open; no second dead letter is written and nothing waits for retries.
 */
final class ReactionRetries {

    /** The exchange property marking a run for an operator's retry. */
    static final String OPERATOR_RETRY = "HeraldReactionOperatorRetry";

    private final CamelContext camel;
    /** reaction name -> its route id */
    private final Map<String, String> routes;

    private ReactionRetries(CamelContext camel, Map<String, String> routes) {
        this.camel = camel;
        this.routes = routes;
    }

    static void register(CamelContext camel, DeadLetterStore deadLetters, Map<String, String> routes) {
        ReactionRetries retries = new ReactionRetries(camel, Map.copyOf(routes));
        deadLetters.onRetry(ReactionErrors.STAGE, retries::redeliver);
    }

    private void redeliver(Connection transaction, UUID eventId, String reaction) throws SQLException {
        byte[] event = RouteRedelivery.originalEvent(transaction, ReactionErrors.STAGE, eventId, reaction)
                .getBytes(StandardCharsets.UTF_8);
        Exchange exchange = RouteRedelivery.run(camel, routes.get(reaction), "reaction " + reaction, message -> {
            message.setProperty(OPERATOR_RETRY, true);
            message.getIn().setBody(event);
        });
        if (exchange.getException() != null) {
            throw exchange.getException() instanceof Problem problem ? problem : failedAgain(exchange.getException());
        }
    }

    /** A retried event failing again, as the operator's answer: 503 when it may work later, else 409. */
    static Problem failedAgain(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof NotAppliedNow || cause instanceof SQLException) {
                return Problem.unavailable("reaction-failed", "the reaction could not apply the event now: "
                        + failure.getMessage(), 5, failure);
            }
        }
        return Problem.conflict("reaction-refused", "the reaction refused the event again: "
                + (failure == null ? "unknown" : failure.getMessage()));
    }
}
