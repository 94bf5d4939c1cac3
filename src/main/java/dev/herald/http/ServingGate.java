package dev.herald.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;

/**
 * The first handler of the HTTP server: while the hub is starting (the server listens before Camel has started
 * every route) or stopping (after the drain period, while Camel stops the routes and lets in-flight exchanges
 * finish), a new request is answered 503 problem+json with {@code Retry-After} instead of a 404 for a route not
 * there yet or Camel's bare 503 of a stopped one. A client calling an instance directly during a rolling restart
 * sees a 503 it may retry, or a refused connection, nothing else (docs/operations.md). From the start of a stop,
 * every response closes its kept-alive connection ({@link #endKeepAlive}), so that when the server finally closes,
 * as few connections as possible are open for a request to be written on (docs/operations.md, "Stopping").
 */
public final class ServingGate implements Handler<RoutingContext> {

    private static final String CLOSES = "herald.connection-closes";

    private final int retryAfterSeconds;
    private final BiConsumer<RoutingContext, Problem> answer;
    private volatile String closedBecause = "starting";
    private volatile boolean keepAlive = false;

    public ServingGate(int retryAfterSeconds, BiConsumer<RoutingContext, Problem> answer) {
        this.retryAfterSeconds = retryAfterSeconds;
        this.answer = answer;
    }

    /** Every route has started: requests go through. */
    public void open() {
        closedBecause = null;
        keepAlive = true;
    }

    /**
     * The stop has begun (readiness fails, the drain period runs): requests still go through, but every response
     * whose head is written from now on says {@code Connection: close} and its connection is closed once it is
     * written, so clients move their next request to a new connection (through the load balancer: another
     * instance) instead of sending it on one the server is about to close.
     */
    public void endKeepAlive() {
        keepAlive = false;
    }

    /** The routes are about to stop: new requests are refused from now on. */
    public void closeForStop() {
        keepAlive = false;
        closedBecause = "stopping";
    }

    /**
     * HTTP/1.x: checked when the response's head is written, not when the request came, so a request taken before
     * the stop began and answered after it closes its connection too. Only a response that said so closes it:
     * closing after one that did not would race the client's next request on that connection. Not HTTP/2: its
     * connection carries other streams (closing it would cut them), and the server's close tells its clients
     * with GOAWAY which streams it never processed.
     */
    private void closeAfterAnswerWhenStopping(RoutingContext context) {
        context.addHeadersEndHandler(head -> {
            if (!keepAlive) {
                context.response().putHeader("Connection", "close");
                context.put(CLOSES, Boolean.TRUE);
            }
        });
        context.addEndHandler(ended -> {
            if (context.get(CLOSES) != null) {
                context.response().close(); // once written (Vert.x closes a connection after its last write)
            }
        });
    }

    @Override
    public void handle(RoutingContext context) {
        if (context.request().version() != HttpVersion.HTTP_2) {
            closeAfterAnswerWhenStopping(context);
        }
        String reason = closedBecause;
        if (reason == null) {
            context.next();
            return;
        }
        // Connection: close (also from the handler above), so a client's pool does not send its next request on a
        // connection about to go away
        answer.accept(context, Problem.unavailable(reason, "the hub is " + reason + "; nothing of this request was "
                + "read or kept: try again, on this instance or another", retryAfterSeconds, null)
                .header("Connection", "close"));
    }
}
