package dev.herald.intake;

import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;

/**
 * A command applied by the hub itself (a reaction's event, a saga's final command) through the command's own route,
 * in-process: the same steps as a client's request (schema, one transaction, the event published, the answer and its
 * problem+json), without an HTTP round trip to itself. Camel has no producer for a platform-http route, so this hands
 * the route's processor an exchange as its HTTP consumer would.
 */
public final class InProcessCommand {

    /**
     * Exchange property of such an exchange: the hub's own routes set it, a request cannot (access control lets it
     * through; the rate limits are for clients).
     */
    public static final String PROPERTY = "HeraldInProcessCommand";

    private InProcessCommand() {
    }

    /**
     * The command route {@code command}'s answer (status in {@code CamelHttpResponseCode}, body) to {@code body} (JSON)
     * for the aggregate {@code aggregateId} (null: a command creating one); {@code request} adds headers or properties
     * (Idempotency-Key, traceparent). Throws {@link NotRunning} when no such route runs.
     */
    public static Exchange apply(CamelContext camel, String command, String aggregateId, byte[] body,
            Consumer<Exchange> request) throws Exception {
        Route route = camel.getRoute(command);
        if (route == null || !(route.getEndpoint() instanceof PlatformHttpEndpoint http)) {
            throw new NotRunning("command route " + command + " is not running");
        }
        Exchange call = http.createExchange();
        call.getExchangeExtension().setFromEndpoint(http);
        call.getExchangeExtension().setFromRouteId(route.getRouteId());
        call.setProperty(PROPERTY, true);
        Message in = call.getIn();
        if (aggregateId != null) {
            in.setHeader("id", aggregateId);
        }
        in.setHeader(Exchange.HTTP_METHOD, http.getHttpMethodRestrict());
        in.setHeader(Exchange.HTTP_URI, http.getPath().replace("{id}", aggregateId == null ? "" : aggregateId));
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        in.setBody(body);
        request.accept(call);
        route.getConsumer().getProcessor().process(call);
        return call;
    }

    /** The command's route is not running (stopped, or not a command route): not now. */
    public static final class NotRunning extends Exception {

        public NotRunning(String message) {
            super(message);
        }
    }
}
