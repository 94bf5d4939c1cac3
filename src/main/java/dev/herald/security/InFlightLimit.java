package dev.herald.security;

import dev.herald.http.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Bounds the requests the hub holds at once. Each request waits for a Vert.x worker, then for its command's
 * batch; Vert.x queues the waiting ones without limit, so a burst beyond what the hub drains would otherwise
 * grow memory (bodies of up to herald.http.max-body-size each) and latency without end. Past the limit a
 * request is answered 503 on the event loop, before its body is read. /observe stays reachable, so a busy
 * hub is not mistaken for a dead one.
 */
public final class InFlightLimit implements Handler<RoutingContext> {

    private final int limit;
    private final int retryAfterSeconds;
    private final BiConsumer<RoutingContext, Problem> answer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter refused;

    public InFlightLimit(int limit, int retryAfterSeconds, MeterRegistry meters, BiConsumer<RoutingContext, Problem> answer) {
        this.limit = limit;
        this.retryAfterSeconds = retryAfterSeconds;
        this.answer = answer;
        this.refused = Counter.builder("herald.http.overloaded").description("requests refused with 503 because "
                + "herald.http.max-in-flight requests were already being handled").register(meters);
        meters.gauge("herald.http.in.flight", inFlight);
    }

    @Override
    public void handle(RoutingContext context) {
        if (limit <= 0 || context.request().path().startsWith("/observe/")) {
            context.next();
            return;
        }
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            refused.increment();
            answer.accept(context, Problem.unavailable("overloaded", "the hub is handling " + limit
                    + " requests already (herald.http.max-in-flight); nothing of this one was read or kept",
                    retryAfterSeconds, null));
            return;
        }
        context.addEndHandler(ended -> inFlight.decrementAndGet());
        context.next();
    }
}
