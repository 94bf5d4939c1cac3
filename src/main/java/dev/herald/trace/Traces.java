package dev.herald.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * W3C trace context through the hub, on the OpenTelemetry SDK. Recording (an exporter is set): every span is a
 * real SDK span, exported over OTLP. Off (no exporter, the default): no span is built; a hop still gets a span id
 * of its own and the parent's trace id and flags (or a new trace, sampled, when none came), so the context reaches
 * Kafka, RabbitMQ and the webhook receivers all the same, at the cost of two random longs and a string per hop.
 * Closed after every stage that ends spans stopped: a span still open then (a RabbitMQ message whose confirm never
 * came, a projection's batch not committed) is ended as cancelled, and everything ended is exported before the close
 * returns.
 */
public final class Traces implements AutoCloseable {

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    /**
     * The MDC key of the trace id a log line carries: a request's on its route's thread (intake's route policy), an
     * event's while a stage handles it off the request thread ({@link #logged}); logback prints it as
     * {@code trace=<id>}.
     */
    public static final String MDC_KEY = "trace_id";
    /**
     * The MDC key of the trace ids a log line about a batch of several events carries ({@link #logged(List,
     * Function)}): the distinct valid ones, space-separated, in batch order, at most {@value #MOST_TRACE_IDS} then
     * {@code +<n> more}; logback prints it as {@code traces=<ids>}. A line about one event carries {@link #MDC_KEY}.
     */
    public static final String MDC_KEYS = "trace_ids";
    /**
     * The most trace ids a line carries (33 characters each). A cap, not every id: a relay batch holds up to 2,000
     * events (herald.relay.batch-size), 66 KB of ids, and where the hub runs in a container (deploy/: Docker's
     * json-file driver, containerd under Kubernetes) a line longer than 16 KiB is split into pieces, which breaks a
     * JSON line for a collector that does not join them. 256 ids are 8.4 KB, leaving the rest of the 16 KiB
     * to the message, a stack trace's first lines and the JSON fields.
     */
    public static final int MOST_TRACE_IDS = 256;
    /** The exchange property holding a request's server span (intake's route policy sets it). */
    public static final String SPAN_PROPERTY = "HeraldSpan";

    /** Span attributes several hops set (OpenTelemetry semantic conventions, and Herald's own). */
    public static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    public static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    public static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("herald.event_id");
    public static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("herald.batch.size");

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final IdGenerator IDS = IdGenerator.random();
    private static final Logger LOG = LoggerFactory.getLogger(Traces.class);
    /** The status description of a span the hub's stop ended. */
    public static final String CANCELLED = "cancelled: the hub stopped before this hop finished";
    private static final TextMapSetter<String[]> INTO = (carrier, key, value) -> {
        if (carrier != null) {
            carrier[TRACEPARENT.equals(key) ? 0 : 1] = value;
        }
    };
    private static final TextMapGetter<String[]> FROM = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String[] carrier) {
            return List.of(TRACEPARENT, TRACESTATE);
        }

        @Override
        public String get(String[] carrier, String key) {
            return carrier == null ? null : carrier[TRACEPARENT.equals(key) ? 0 : 1];
        }
    };

    /** Tests only: spans go to this exporter (the SDK's in-memory one) instead of OTLP. */
    private static volatile SpanExporter testExporter;

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final OpenSpans open;

    private Traces(SdkTracerProvider provider, OpenSpans open) {
        this.provider = provider;
        this.open = open;
        this.tracer = provider == null ? null : provider.get("dev.herald");
    }

    /** No exporter: propagation only. */
    public static Traces off() {
        return new Traces(null, null);
    }

    /**
     * From the settings: OTLP (http/protobuf) to {@code otlpEndpoint} (the collector's base URL, as
     * OTEL_EXPORTER_OTLP_ENDPOINT) when it is set, else off; the test exporter wins over both.
     */
    public static Traces of(String otlpEndpoint, String serviceName) {
        SpanExporter forTests = testExporter;
        if (forTests != null) {
            return recording(SimpleSpanProcessor.create(forTests), serviceName);
        }
        if (otlpEndpoint == null || otlpEndpoint.isBlank()) {
            return off();
        }
        String base = otlpEndpoint.endsWith("/") ? otlpEndpoint.substring(0, otlpEndpoint.length() - 1) : otlpEndpoint;
        return recording(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                .setEndpoint(base + "/v1/traces").build()).build(), serviceName);
    }

    private static Traces recording(SpanProcessor processor, String serviceName) {
        OpenSpans open = new OpenSpans();
        return new Traces(SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), serviceName))))
                .addSpanProcessor(open).addSpanProcessor(processor).build(), open);
    }

    /**
     * The spans started and not yet ended (recording only; one set insert and removal per span), so that the stop can
     * end what no stage will: a span never ended is never exported, and a trace would not show where the work was when
     * the hub stopped. Held strongly (a stage that dropped its span must not lose it before the stop), so bounded: a
     * stage that forgot to end its spans costs a warning, not the heap.
     */
    private static final class OpenSpans implements SpanProcessor {

        /** Far above the spans in progress at once (a poll's messages, a batch's applies, the lanes' commands). */
        private static final int MAX = 50_000;
        private final Set<ReadWriteSpan> open = ConcurrentHashMap.newKeySet();
        private volatile boolean full;

        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {
            if (open.size() < MAX) {
                open.add(span);
            } else if (!full) {
                full = true;
                LOG.warn("tracing: {} spans open at once (a stage that does not end its spans?); one started while so"
                        + " many are open is not ended by a stop (logged once)", MAX);
            }
        }

        @Override
        public boolean isStartRequired() {
            return true;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            open.remove(span);
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }

        /** Ends every open span: ERROR {@link Traces#CANCELLED} unless a failure already set its status. */
        int cancel() {
            int cancelled = 0;
            for (ReadWriteSpan span : List.copyOf(open)) {
                if (span.toSpanData().getStatus().getStatusCode() == StatusCode.UNSET) {
                    span.setStatus(StatusCode.ERROR, CANCELLED);
                }
                span.addEvent("cancelled");
                span.end();
                cancelled++;
            }
            return cancelled;
        }
    }

    /** Tests only: the next hubs started in this JVM export to {@code exporter} (null: back to the settings). */
    public static void exportForTests(SpanExporter exporter) {
        testExporter = exporter;
    }

    public boolean recording() {
        return tracer != null;
    }

    /** A span of its own for a hop, child of {@code parent}; a new trace when the parent is invalid. */
    public Span start(String name, SpanKind kind, SpanContext parent) {
        if (tracer != null) {
            return tracer.spanBuilder(name).setSpanKind(kind)
                    .setParent(parent.isValid() ? Context.root().with(Span.wrap(parent)) : Context.root())
                    .startSpan();
        }
        return parent.isValid()
                ? Span.wrap(SpanContext.create(parent.getTraceId(), IDS.generateSpanId(), parent.getTraceFlags(),
                        parent.getTraceState()))
                : Span.wrap(SpanContext.create(IDS.generateTraceId(), IDS.generateSpanId(), TraceFlags.getSampled(),
                        TraceState.getDefault()));
    }

    /**
     * A span of work done for many traces at once (a lane's batch: its database and Kafka transactions): a root of its
     * own, linked to each trace's context, since no one request owns it. Work for one trace alone (a batch of one
     * command) is that trace's own: a child of its context, so the request's trace shows its database transaction.
     * Built only when recording; else the invalid span, whose methods do nothing.
     */
    public Span batch(String name, List<String> traceparents) {
        if (tracer == null) {
            return Span.getInvalid();
        }
        SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL);
        SpanContext alone = traceparents.size() == 1 ? parse(traceparents.get(0), null) : SpanContext.getInvalid();
        if (alone.isValid()) {
            return builder.setParent(Context.root().with(Span.wrap(alone))).startSpan();
        }
        builder.setNoParent();
        for (String traceparent : traceparents) {
            SpanContext context = parse(traceparent, null);
            if (context.isValid()) {
                builder.addLink(context);
            }
        }
        return builder.startSpan();
    }

    /**
     * The context a {@code traceparent} (and {@code tracestate}) header carries; invalid (so the next span starts a
     * new trace) when there is none or it does not follow the W3C rules.
     */
    public static SpanContext parse(String traceparent, String tracestate) {
        if (traceparent == null) {
            return SpanContext.getInvalid();
        }
        return Span.fromContext(W3C.extract(Context.root(), new String[] {traceparent, tracestate}, FROM))
                .getSpanContext();
    }

    /** {@code [traceparent, tracestate]} of a span (tracestate null when empty); nulls when it is invalid. */
    public static String[] headers(SpanContext span) {
        String[] headers = new String[2];
        W3C.inject(Context.root().with(Span.wrap(span)), headers, INTO);
        return headers;
    }

    /** Sets the {@code traceparent} (and a non-empty {@code tracestate}) of a span as headers of an outgoing message. */
    public static void inject(SpanContext span, BiConsumer<String, String> headers) {
        String[] context = headers(span);
        if (context[0] != null) {
            headers.accept(TRACEPARENT, context[0]);
        }
        if (context[1] != null) {
            headers.accept(TRACESTATE, context[1]);
        }
    }

    public static String traceparent(SpanContext span) {
        return headers(span)[0];
    }

    /** The trace id a traceparent names, or null. */
    public static String traceId(String traceparent) {
        SpanContext context = parse(traceparent, null);
        return context.isValid() ? context.getTraceId() : null;
    }

    /**
     * The {@code traceparent} attribute of a Herald envelope (the CloudEvents distributed-tracing extension), found
     * without parsing the JSON: Herald writes it, compact, as {@code "traceparent":"00-..."}.
     */
    public static SpanContext ofEnvelope(String envelope) {
        return parse(traceparentOfEnvelope(envelope), null);
    }

    /** The {@code traceparent} attribute of a Herald envelope as written, unchecked ({@link #ofEnvelope}); or null. */
    public static String traceparentOfEnvelope(String envelope) {
        int at = envelope == null ? -1 : envelope.indexOf("\"traceparent\":\"");
        if (at < 0) {
            return null;
        }
        int start = at + 15;
        int end = envelope.indexOf('"', start);
        return end < 0 ? null : envelope.substring(start, end);
    }

    /**
     * The context a consumer of an event continues: its Kafka record's {@code traceparent} header (the publish or
     * relay span), else the envelope's attribute (the context it was stored with: a record written by an older hub,
     * an operator's retry read back from the event table).
     */
    public static SpanContext ofRecord(String traceparent, String tracestate, Supplier<String> envelope) {
        SpanContext header = parse(traceparent, tracestate);
        return header.isValid() ? header : ofEnvelope(envelope.get());
    }

    /**
     * Log lines written on this thread until {@link Logged#close()} carry this context's trace id (MDC
     * {@value #MDC_KEY}); the close puts back what the thread had (the batch's, none). An invalid context changes
     * nothing, so a stage may call it for every event. Use with try-with-resources, on the thread that logs.
     */
    public static Logged logged(SpanContext context) {
        return context.isValid() ? logged(context.getTraceId()) : Logged.UNCHANGED;
    }

    /**
     * The same for a trace id (null: nothing changes). A line about one event is not about the batch around it: the
     * batch's {@value #MDC_KEYS} are left out until the close (an event dead-lettered in the middle of a relay batch).
     */
    public static Logged logged(String traceId) {
        if (traceId == null) {
            return Logged.UNCHANGED;
        }
        String before = MDC.get(MDC_KEY);
        String batch = MDC.get(MDC_KEYS);
        MDC.put(MDC_KEY, traceId);
        if (batch != null) {
            MDC.remove(MDC_KEYS);
            return () -> {
                restore(MDC_KEY, before);
                MDC.put(MDC_KEYS, batch);
            };
        }
        return before == null ? Logged.REMOVED : () -> MDC.put(MDC_KEY, before);
    }

    /**
     * Log lines written on this thread until the close are about a batch of events (a relay batch, a Kafka poll, a
     * subset of either): of several events, they carry the batch's {@link #traceIds} (MDC {@value #MDC_KEYS}, set
     * once for the batch; {@value #MDC_KEY} is left as it is, e.g. a lane batch's own span); of one, its event's
     * trace id, as {@link #logged(String)}; of none or no valid one, nothing changes. {@code traceparent}: the
     * event's stored W3C header (null for none), of which only the trace id is taken, without parsing it whole. The
     * close puts back what the thread had.
     */
    public static <T> Logged logged(List<T> batch, Function<? super T, String> traceparent) {
        if (batch.size() < 2) {
            return batch.isEmpty() ? Logged.UNCHANGED : logged(traceIdOf(traceparent.apply(batch.get(0))));
        }
        String ids = traceIds(batch, traceparent);
        if (ids == null) {
            return Logged.UNCHANGED;
        }
        String before = MDC.get(MDC_KEYS);
        MDC.put(MDC_KEYS, ids);
        return before == null ? Logged.BATCH_REMOVED : () -> MDC.put(MDC_KEYS, before);
    }

    /**
     * {@link #logged(List, Function)} for a route step whose failure Camel's error handler logs: its retry line
     * ({@code Failed delivery for ... On delivery attempt: n caught: ...}) and its exhausted line are written after
     * the step threw, on the step's thread (a redelivery waits on that thread: asyncDelayedRedelivery is off), so
     * there the ids outlive the step. Close it when the step succeeds; when it throws, leave it: the ids stay for
     * those lines until the step's retry replaces them (what a failure left is dropped first) or the route's next
     * step calls {@link #forget()}. Only on a route's own thread, where no one else set a trace id.
     */
    public static <T> Logged loggedThroughRetries(List<T> batch, Function<? super T, String> traceparent) {
        forget();
        return logged(batch, traceparent);
    }

    /** Drops what a failed step left for Camel's lines ({@link #loggedThroughRetries}). */
    public static void forget() {
        MDC.remove(MDC_KEY);
        MDC.remove(MDC_KEYS);
    }

    /**
     * The distinct valid trace ids of a batch's events, space-separated, in batch order; past {@value
     * #MOST_TRACE_IDS} of them, {@code +<n> more} (n distinct ids left out); null when none is valid. One pass: a
     * substring and a set insert per event.
     */
    public static <T> String traceIds(List<T> batch, Function<? super T, String> traceparent) {
        Set<String> seen = new HashSet<>();
        StringBuilder ids = new StringBuilder();
        for (T event : batch) {
            String id = traceIdOf(traceparent.apply(event));
            if (id != null && seen.add(id) && seen.size() <= MOST_TRACE_IDS) {
                ids.append(ids.isEmpty() ? "" : " ").append(id);
            }
        }
        if (seen.size() > MOST_TRACE_IDS) {
            ids.append(" +").append(seen.size() - MOST_TRACE_IDS).append(" more");
        }
        return ids.isEmpty() ? null : ids.toString();
    }

    /**
     * The trace id of a {@code traceparent} header, or null when {@link #parse} would find it invalid (the W3C rules
     * as OpenTelemetry's propagator applies them), checked character by character: no context built.
     */
    static String traceIdOf(String traceparent) {
        if (traceparent == null || traceparent.length() < 55 || (traceparent.length() > 55
                && (traceparent.charAt(55) != '-' || traceparent.startsWith("00")))
                || traceparent.charAt(2) != '-' || traceparent.charAt(35) != '-' || traceparent.charAt(52) != '-'
                || traceparent.startsWith("ff") || !hex(traceparent, 0, 2) || !hex(traceparent, 53, 55)
                || !nonZeroHex(traceparent, 3, 35) || !nonZeroHex(traceparent, 36, 52)) {
            return null;
        }
        return traceparent.substring(3, 35);
    }

    private static boolean hex(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean nonZeroHex(String text, int from, int to) {
        if (!hex(text, from, to)) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (text.charAt(i) != '0') {
                return true;
            }
        }
        return false;
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    /**
     * Trace ids set in the MDC: closing puts back what was there (no checked exception, for try-with-resources).
     */
    @FunctionalInterface
    public interface Logged extends AutoCloseable {
        Logged UNCHANGED = () -> { };
        Logged REMOVED = () -> MDC.remove(MDC_KEY);
        Logged BATCH_REMOVED = () -> MDC.remove(MDC_KEYS);

        @Override
        void close();
    }

    /** The hop failed: the span's status is ERROR, with the failure as its description and an exception event. */
    public static void failed(Span span, Throwable failure) {
        if (span.isRecording()) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
        }
    }

    /** After the stages stopped: the spans still open ended as cancelled, then all exported (the SDK's shutdown). */
    @Override
    public void close() {
        if (provider != null) {
            int cancelled = open.cancel();
            if (cancelled > 0) {
                LOG.info("tracing: {} spans still open at the stop ended as cancelled", cancelled);
            }
            provider.shutdown().join(5, TimeUnit.SECONDS);
        }
    }
}
