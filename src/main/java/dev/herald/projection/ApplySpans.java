package dev.herald.projection;

import dev.herald.trace.Traces;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The spans {@code projection <name> apply} of one projection: ONE span per event until its apply is committed, not
 * one per application. A projection applies an event more than once when its transaction is rolled back and tried
 * again (a later event of the batch failed, so the events before it are applied again alone; a transient failure,
 * tried again after a backoff): each application is an event {@code attempt} on the same span ({@code herald.attempt}
 * = 1, 2, ...; a failed one also an exception event), each rollback an event {@code rolled back}, and the span ends
 * when the apply is committed ({@code herald.attempts} = how many it took) or the projection stops at the event
 * (ERROR, dead-lettered). An operator's retry of that dead letter is a new delivery, so a new span, linked to the
 * failed one. See docs/operations.md, "Tracing". Only recording spans are kept; used by the projection's thread, and
 * by its stop.
 */
final class ApplySpans {

    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("herald.attempt");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("herald.attempts");
    private static final AttributeKey<String> REASON = AttributeKey.stringKey("herald.reason");

    private final Traces traces;
    private final String name;
    private final Map<UUID, Applying> open = new HashMap<>();
    /** The event the projection last stopped at, and its span: a retry's span links to it. */
    private UUID stoppedAt;
    private SpanContext stoppedSpan;

    private static final class Applying {
        final StoredEvent event;
        final Span span;
        long attempts;

        Applying(StoredEvent event, Span span) {
            this.event = event;
            this.span = span;
        }
    }

    ApplySpans(Traces traces, String name) {
        this.traces = traces;
        this.name = name;
    }

    /** The span of this application of {@code event}: the event's open span, or a new one child of its stored context. */
    synchronized Span attempt(StoredEvent event) {
        Applying applying = open.get(event.eventId());
        if (applying == null) {
            Span span = traces.start("projection " + name + " apply", SpanKind.CONSUMER,
                    Traces.parse(event.traceparent(), null));
            if (!span.isRecording()) {
                return span;
            }
            span.setAttribute(Traces.EVENT_ID, event.eventId().toString());
            if (event.eventId().equals(stoppedAt)) {
                span.addLink(stoppedSpan, Attributes.of(REASON, "retry of the dead-lettered apply"));
                stoppedAt = null;
            }
            applying = new Applying(event, span);
            open.put(event.eventId(), applying);
        }
        applying.attempts++;
        applying.span.addEvent("attempt", Attributes.of(ATTEMPT, applying.attempts));
        return applying.span;
    }

    /** The transaction of the events applied so far was rolled back: they will be applied again. */
    synchronized void rolledBack(String why) {
        open.values().forEach(a -> a.span.addEvent("rolled back", Attributes.of(REASON, why)));
    }

    /** These events' applies are committed: their spans end. */
    synchronized void committed(List<StoredEvent> events) {
        if (open.isEmpty()) {
            return;
        }
        for (StoredEvent event : events) {
            Applying applying = open.remove(event.eventId());
            if (applying != null) {
                end(applying);
            }
        }
    }

    /** The projection stopped at this event (dead-lettered): its span ends as an error. */
    synchronized void stopped(StoredEvent event, Throwable failure) {
        Applying applying = open.remove(event.eventId());
        if (applying != null) {
            applying.span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
            stoppedAt = event.eventId();
            stoppedSpan = applying.span.getSpanContext();
            end(applying);
        }
    }

    /**
     * The projection's position is at {@code txId}/{@code seq}: a span of an event at or before it, not committed here,
     * was committed by another instance (which took the projection over) or discarded; it ends with that said.
     */
    synchronized void passed(String txId, long seq) {
        if (open.isEmpty()) {
            return;
        }
        for (Applying applying : new ArrayList<>(open.values())) {
            int order = Long.compareUnsigned(Long.parseUnsignedLong(applying.event.txId()), Long.parseUnsignedLong(txId));
            if (order < 0 || order == 0 && applying.event.seq() <= seq) {
                open.remove(applying.event.eventId());
                applying.span.addEvent("not committed here: the projection's position went past it");
                end(applying);
            }
        }
    }

    /** Every open span ends: {@code why} as an event, and as an ERROR status when the applies did not take effect. */
    synchronized void endAll(String why, boolean failed) {
        for (Applying applying : open.values()) {
            applying.span.addEvent(why);
            if (failed) {
                applying.span.setStatus(StatusCode.ERROR, why);
            }
            end(applying);
        }
        open.clear();
    }

    private static void end(Applying applying) {
        applying.span.setAttribute(ATTEMPTS, applying.attempts);
        applying.span.end();
    }
}
