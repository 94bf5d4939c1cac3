package dev.herald.cdc;

import dev.herald.deadletter.DeadLetterStore;
import dev.herald.deadletter.RouteRedelivery;
import dev.herald.http.JsonBodies;
import dev.herald.http.Problem;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;

/**
 * How an operator's retry of a {@code cdc} dead letter is delivered: the change as the dead letter kept it (its
 * operation, source metadata and row) runs through its source's route again, as if Debezium gave it once more, so it
 * is checked against the event's schema as it is now and appended as the aggregate's next event; its inbox row (the
 * change's identity) makes a second delivery a replay. Should it fail again, the operator hears why at once (409
 * refused for good, 503 not now) and the dead letter stays open, as for a reaction's ({@code ReactionRetries}).
 */
final class ChangeRetries {

    private ChangeRetries() {
    }

    /** {@code routes}: source name -> its route id. */
    static void register(CamelContext camel, DeadLetterStore deadLetters, Map<String, String> routes) {
        Map<String, String> running = Map.copyOf(routes);
        deadLetters.onRetry(ChangeRefusals.STAGE, (transaction, eventId, source) ->
                redeliver(camel, running.get(source), transaction, eventId, source));
    }

    private static void redeliver(CamelContext camel, String routeId, Connection transaction, UUID eventId,
            String source) throws SQLException {
        Change change;
        try {
            change = Change.of(JsonBodies.MAPPER.readTree(
                    RouteRedelivery.originalEvent(transaction, ChangeRefusals.STAGE, eventId, source)));
        } catch (IOException e) {
            throw new IllegalStateException("dead letter of change " + eventId + " is no JSON", e);
        }
        Exchange exchange = RouteRedelivery.run(camel, routeId, "CDC source " + source, message -> {
            message.setProperty(ChangeRefusals.OPERATOR_RETRY, true);
            message.getIn().setHeaders(change.asDebeziumGave());
            message.getIn().setBody("d".equals(change.operation()) ? null : change.row());
        });
        Throwable again = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(ChangeRefusals.FAILED_AGAIN, Throwable.class);
        if (again != null) {
            throw again instanceof Problem problem ? problem : failedAgain(again);
        }
    }

    /** A retried change failing again, as the operator's answer: 503 when it may work later, else 409. */
    private static Problem failedAgain(Throwable failure) {
        if (!ChangeRefusals.permanent(failure)) {
            return Problem.unavailable("change-failed", "the CDC source could not store the change now: "
                    + (failure == null ? "unknown" : failure.getMessage()), 5, failure);
        }
        return Problem.conflict("change-refused", "the change was refused again: " + failure.getMessage());
    }
}
