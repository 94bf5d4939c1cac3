package dev.herald.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import org.junit.jupiter.api.Test;

/** The W3C rules of an incoming traceparent, and what the hops get when nothing is exported. */
class TracesTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String GIVEN = "00-" + TRACE + "-00f067aa0ba902b7-01";

    @Test
    void aValidTraceparentIsTheParent() {
        SpanContext parent = Traces.parse(GIVEN, "vendor=a");
        assertThat(parent.isValid()).isTrue();
        assertThat(parent.getTraceId()).isEqualTo(TRACE);
        assertThat(parent.getSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(parent.isSampled()).isTrue();
        assertThat(parent.getTraceState().get("vendor")).isEqualTo("a");
        assertThat(parent.isRemote()).isTrue();
    }

    @Test
    void anInvalidOrMissingTraceparentStartsANewTrace() {
        for (String invalid : new String[] {null, "", "garbage", "00-" + TRACE + "-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-" + TRACE + "-0000000000000000-01",
            "ff-" + TRACE + "-00f067aa0ba902b7-01", "00-" + TRACE.toUpperCase() + "-00f067aa0ba902b7-01"}) {
            assertThat(Traces.parse(invalid, null).isValid()).as(invalid).isFalse();
            Span span = Traces.off().start("x", SpanKind.SERVER, Traces.parse(invalid, null));
            assertThat(span.getSpanContext().isValid()).as(invalid).isTrue();
            assertThat(span.getSpanContext().getTraceId()).as(invalid).isNotEqualTo(TRACE);
        }
    }

    @Test
    void offEachHopGetsASpanIdOfItsOwnInTheParentsTraceAndNothingIsRecorded() {
        Span hop = Traces.off().start("x", SpanKind.PRODUCER, Traces.parse(GIVEN, "vendor=a"));
        assertThat(hop.isRecording()).isFalse();
        String traceparent = Traces.traceparent(hop.getSpanContext());
        assertThat(traceparent).matches("00-" + TRACE + "-[0-9a-f]{16}-01").isNotEqualTo(GIVEN);
        assertThat(Traces.headers(hop.getSpanContext())[1]).isEqualTo("vendor=a");
        SpanContext unsampled = Traces.off().start("x", SpanKind.PRODUCER,
                Traces.parse("00-" + TRACE + "-00f067aa0ba902b7-00", null)).getSpanContext();
        assertThat(unsampled.isSampled()).isFalse();
        assertThat(Traces.traceId(traceparent)).isEqualTo(TRACE);
        assertThat(Traces.traceId("nonsense")).isNull();
    }

    @Test
    void theEnvelopesAttributeIsFoundWithoutParsingIt() {
        String envelope = "{\"specversion\":\"1.0\",\"id\":\"e\",\"traceparent\":\"" + GIVEN + "\",\"data\":{}}";
        assertThat(Traces.ofEnvelope(envelope).getTraceId()).isEqualTo(TRACE);
        assertThat(Traces.ofEnvelope("{\"specversion\":\"1.0\"}").isValid()).isFalse();
        assertThat(Traces.ofEnvelope("{\"traceparent\":\"bad\"}").isValid()).isFalse();
        assertThat(Traces.ofEnvelope(null).isValid()).isFalse();
    }
}
