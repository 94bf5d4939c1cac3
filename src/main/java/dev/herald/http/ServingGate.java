package dev.herald.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;

/**
 * The first handler of the HTTP server: while the hub is starting (the server listens before Camel has started
 * every route) or stopping (after the drain period, while Camel stops the routes and lets in-flight exchanges
 * finish), a new request is answered 503 problem+json with {@code Retry-After} instead of a 404 for a route not
 * there yet or Camel's bare 503 of a stopped one. A client calling an instance directly during a rolling restart
 * sees a 503 it may retry, or a refused connection, nothing else (docs/operations.md).
 */
public final class ServingGate implements Handler<RoutingContext> {

    private final int retryAfterSeconds;
    private final BiConsumer<RoutingContext, Problem> answer;
    private volatile String closedBecause = "starting";

    public ServingGate(int retryAfterSeconds, BiConsumer<RoutingContext, Problem> answer) {
        this.retryAfterSeconds = retryAfterSeconds;
        this.answer = answer;
    }

    /** Every route has started: requests go through. */
    public void open() {
        closedBecause = null;
    }

    /** The routes are about to stop: new requests are refused from now on. */
    public void closeForStop() {
        closedBecause = "stopping";
    }

    @Override
    public void handle(RoutingContext context) {
        String reason = closedBecause;
        if (reason == null) {
            context.next();
            return;
        }
        // Connection: close, so a client's pool does not send its next request on a connection about to go away
        answer.accept(context, Problem.unavailable(reason, "the hub is " + reason + "; nothing of this request was "
                + "read or kept: try again, on this instance or another", retryAfterSeconds, null)
                .header("Connection", "close"));
    }
}
