package dev.herald.deadletter;

import dev.herald.http.Problem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;

/**
 * An operator's retry for the stages whose dead letters are what a route's consumer gave it (a reaction's inbound
 * event, a CDC source's row change): the dead letter's {@code originalEvent}, read in the operator's transaction, runs
 * through the route once more on the operator's thread, as if its consumer delivered it again. Camel has no step that
 * hands a message to a running route's consumer side.
 */
public final class RouteRedelivery {

    private static final String ORIGINAL = """
            SELECT CAST(original_event AS text) FROM dead_letters
             WHERE stage = ? AND event_id = ? AND destination = ? ORDER BY id DESC LIMIT 1""";

    private RouteRedelivery() {
    }

    /** The newest dead letter's originalEvent of this stage, event and destination. */
    public static String originalEvent(Connection transaction, String stage, UUID eventId, String destination)
            throws SQLException {
        try (PreparedStatement select = transaction.prepareStatement(ORIGINAL)) {
            select.setString(1, stage);
            select.setObject(2, eventId);
            select.setString(3, destination);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }

    /**
     * Runs the route {@code routeId} on an exchange {@code message} fills (marked as the operator's, so its error
     * handling answers at once), and answers the exchange, its exception set if it failed; 409 not-retriable when
     * the route is not running ({@code what}: the reaction or source, for the answer).
     */
    public static Exchange run(CamelContext camel, String routeId, String what, Consumer<Exchange> message) {
        Route route = routeId == null ? null : camel.getRoute(routeId);
        if (route == null) {
            throw Problem.conflict("not-retriable", what + " is not running");
        }
        Exchange exchange = route.getEndpoint().createExchange();
        exchange.getExchangeExtension().setFromEndpoint(route.getEndpoint());
        exchange.getExchangeExtension().setFromRouteId(routeId);
        message.accept(exchange);
        try {
            route.getConsumer().getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        return exchange;
    }
}
