package dev.herald.intake;

import dev.herald.trace.Traces;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.MDC;

/**
 * The HTTP server span of every request a platform-http route takes (commands, reads, the operator API): its parent
 * is the request's {@code traceparent} (a new trace when it has none or an invalid one). The span waits in the
 * exchange property {@link Traces#SPAN_PROPERTY} for the steps that continue the trace (the command's publish span)
 * or quote it (problem+json's {@code trace_id}); its trace id is the MDC key {@code trace_id} of the request's log
 * lines on the route's thread.
 */
public final class RequestTracing implements RoutePolicyFactory {

    public static final String MDC_KEY = Traces.MDC_KEY;
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");

    private final Traces traces;

    public RequestTracing(Traces traces) {
        this.traces = traces;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camel, String routeId, NamedNode route) {
        return new RoutePolicySupport() {
            @Override
            public void onExchangeBegin(Route route, Exchange exchange) {
                if (route.getEndpoint() instanceof PlatformHttpEndpoint http) {
                    begin(exchange, http.getPath());
                }
            }

            @Override
            public void onExchangeDone(Route route, Exchange exchange) {
                Span span = exchange.getProperty(Traces.SPAN_PROPERTY, Span.class);
                if (span != null) {
                    done(exchange, span);
                }
            }
        };
    }

    private void begin(Exchange exchange, String path) {
        String method = exchange.getIn().getHeader(Exchange.HTTP_METHOD, String.class);
        Span span = traces.start(method + " " + path, SpanKind.SERVER, Traces.parse(
                exchange.getIn().getHeader(Traces.TRACEPARENT, String.class),
                exchange.getIn().getHeader(Traces.TRACESTATE, String.class)));
        if (span.isRecording()) {
            span.setAttribute(METHOD, method);
            span.setAttribute(ROUTE, path);
        }
        exchange.setProperty(Traces.SPAN_PROPERTY, span);
        MDC.put(MDC_KEY, span.getSpanContext().getTraceId());
    }

    private static void done(Exchange exchange, Span span) {
        if (span.isRecording()) {
            Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            int code = status == null ? 200 : status;
            span.setAttribute(Traces.HTTP_STATUS, (long) code);
            if (code >= 500 || exchange.getException() != null) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        }
        MDC.remove(MDC_KEY);
    }

    /** The trace id of the request an exchange serves, or null. */
    public static String traceId(Exchange exchange) {
        Span span = exchange.getProperty(Traces.SPAN_PROPERTY, Span.class);
        return span == null ? null : span.getSpanContext().getTraceId();
    }
}
