package dev.herald.sink;

import dev.herald.trace.Traces;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The first step of every sink route (bean {@code sinkSpan}, the {@code interceptFrom} of route configuration
 * {@code sinks}): a CONSUMER span {@code sink <route id> deliver} for the Kafka record the route took, child of the
 * record's {@code traceparent} header (else its envelope's), open across the retries and ended when the exchange is
 * done. Each retry's failure is an exception event on it ({@link SinkErrors#retrying}); the event dead-lettered, or
 * the hub stopping mid-retry, makes it an error. Its context replaces the record's {@code traceparent} header, so a
 * sink step that calls out (http:, kafka:) continues the trace. An operator's retry of the event's dead letter is a
 * span of the same name ({@link #retry}), child of the context the event was stored with. Herald's step rather than
 * Camel's tracer: see docs/operations.md, "Tracing".
 */
public final class SinkSpan implements Processor {

    /** Exchange property: the sink's span, for the error steps. */
    static final String PROPERTY = "HeraldSinkSpan";
    /** Set on the span of an operator's retry of a dead letter. */
    static final AttributeKey<Boolean> RETRY = AttributeKey.booleanKey("herald.dead_letter.retry");

    private final Traces traces;

    public SinkSpan(Traces traces) {
        this.traces = traces;
    }

    @Override
    public void process(Exchange exchange) {
        if (exchange.getProperty(PROPERTY) != null) {
            return; // one span per event, should the step be woven in twice (a route advised in a test)
        }
        Span span = start(exchange.getFromRouteId(), exchange.getMessage());
        if (!span.isRecording()) {
            return;
        }
        exchange.setProperty(PROPERTY, span);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (done.getException() != null) {
                    Traces.failed(span, done.getException());
                }
                span.end();
            }
        });
    }

    /**
     * The span of an operator's retry of sink route {@code routeId}'s dead letter ({@link SinkRetries}), whose
     * {@code message} holds the event as stored and no {@code traceparent} header: so its parent is the envelope's
     * context (the event's publish span), like the relay's later publish, and the trace shows the retry. The caller
     * ends it.
     */
    Span retry(String routeId, Message message) {
        Span span = start(routeId, message);
        span.setAttribute(RETRY, true);
        return span;
    }

    /** The span, child of the record's context; its context becomes the message's {@code traceparent} header. */
    private Span start(String routeId, Message in) {
        Span span = traces.start("sink " + routeId + " deliver", SpanKind.CONSUMER,
                Traces.ofRecord(in.getHeader(Traces.TRACEPARENT, String.class),
                        in.getHeader(Traces.TRACESTATE, String.class), () -> in.getBody(String.class)));
        in.removeHeader(Traces.TRACESTATE);
        Traces.inject(span.getSpanContext(), in::setHeader);
        return span;
    }

    /** The sink's span of this exchange, or the invalid span (whose methods do nothing). */
    static Span of(Exchange exchange) {
        Span span = exchange.getProperty(PROPERTY, Span.class);
        return span == null ? Span.getInvalid() : span;
    }
}
