package dev.herald.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The W3C rules of an incoming traceparent, what the hops get when nothing is exported, and the parent of a batch's
 * span when recording.
 */
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

    /**
     * A batch for one trace alone (a lane's batch of one command: its database transaction) is a child in that trace;
     * a batch for several is a root of its own, linked to each (no one request owns it).
     */
    @Test
    void aBatchOfOneIsAChildInItsTraceAndABatchOfSeveralARootLinkedToEach() {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        Traces.exportForTests(spans);
        String other = "00-5bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b8-01";
        List<SpanData> ended;
        // read before the close: the exporter's shutdown forgets what it holds
        try (Traces traces = Traces.of(null, "herald-test")) {
            traces.batch("alone", List.of(GIVEN)).end();
            traces.batch("several", List.of(GIVEN, other)).end();
            ended = spans.getFinishedSpanItems();
        } finally {
            Traces.exportForTests(null);
        }
        SpanData alone = named(ended, "alone");
        assertThat(alone.getTraceId()).isEqualTo(TRACE);
        assertThat(alone.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(alone.getLinks()).isEmpty();
        SpanData several = named(ended, "several");
        assertThat(several.getParentSpanContext().isValid()).isFalse();
        assertThat(several.getTraceId()).isNotIn(TRACE, "5bf92f3577b34da6a3ce929d0e0e4737");
        assertThat(several.getLinks()).extracting(LinkData::getSpanContext).extracting(SpanContext::getSpanId)
                .containsExactly("00f067aa0ba902b7", "00f067aa0ba902b8");
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }
}
