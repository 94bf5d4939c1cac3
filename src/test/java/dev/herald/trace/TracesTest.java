package dev.herald.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

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

    /** A batch's trace ids for its log lines: distinct, in batch order, the invalid left out, one pass. */
    @Test
    void aBatchsTraceIdsAreTheDistinctValidOnesInBatchOrder() {
        String second = "5bf92f3577b34da6a3ce929d0e0e4737";
        String third = "6bf92f3577b34da6a3ce929d0e0e4738";
        List<String> batch = Arrays.asList("00-" + second + "-00f067aa0ba902b7-01", GIVEN, null, "garbage",
                "00-" + second + "-00f067aa0ba902b9-00", "00-" + TRACE.toUpperCase() + "-00f067aa0ba902b7-01",
                "01-" + third + "-00f067aa0ba902b7-01-future", GIVEN);
        assertThat(Traces.traceIds(batch, Function.identity())).isEqualTo(second + " " + TRACE + " " + third);
        assertThat(Traces.traceIds(Arrays.asList(null, "garbage"), Function.identity())).isNull();
        assertThat(Traces.traceIds(List.of(GIVEN, GIVEN), Function.identity())).isEqualTo(TRACE);
    }

    /** Past the cap, the count of those left out (a relay batch holds up to 2,000 events: 66 KB of ids). */
    @Test
    void pastTheCapTheLineSaysHowManyMore() {
        List<String> batch = IntStream.range(0, Traces.MOST_TRACE_IDS + 44).mapToObj(i -> "00-"
                + String.format("%032x", i + 1) + "-00f067aa0ba902b7-01").toList();
        String ids = Traces.traceIds(batch, Function.identity());
        assertThat(ids.split(" ")).hasSize(Traces.MOST_TRACE_IDS + 2);
        assertThat(ids).startsWith(String.format("%032x", 1) + " ").endsWith(" "
                + String.format("%032x", Traces.MOST_TRACE_IDS) + " +44 more");
    }

    /** The trace id taken without parsing the header agrees with the W3C parse on every kind of header. */
    @Test
    void theTraceIdOfAHeaderIsTheParsesOne() {
        for (String header : new String[] {GIVEN, "00-" + TRACE + "-00f067aa0ba902b7-00", null, "", "garbage",
            "00-" + TRACE + "-00f067aa0ba902b7", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-" + TRACE + "-0000000000000000-01", "ff-" + TRACE + "-00f067aa0ba902b7-01",
            "00-" + TRACE.toUpperCase() + "-00f067aa0ba902b7-01", "00-" + TRACE + "-00F067AA0BA902B7-01",
            "00-" + TRACE + "-00f067aa0ba902b7-0g", "0g-" + TRACE + "-00f067aa0ba902b7-01", GIVEN + "-more",
            "01-" + TRACE + "-00f067aa0ba902b7-01-more", "01-" + TRACE + "-00f067aa0ba902b7-01more",
            "00_" + TRACE + "-00f067aa0ba902b7-01"}) {
            assertThat(Traces.traceIdOf(header)).as(header).isEqualTo(Traces.traceId(header));
        }
    }

    /**
     * Lines about several events carry trace_ids (trace_id left as it was, e.g. a lane batch's span), about one its
     * trace_id alone (a dead letter recorded in the middle of a batch is not about the batch); each close puts back
     * what was there.
     */
    @Test
    void aBatchScopeSetsTraceIdsAndAnEventsScopeInsideItHidesThem() {
        String other = "5bf92f3577b34da6a3ce929d0e0e4737";
        List<String> batch = List.of(GIVEN, "00-" + other + "-00f067aa0ba902b7-01");
        MDC.clear();
        try (Traces.Logged span = Traces.logged("0af7651916cd43dd8448eb211c80319c");
                Traces.Logged several = Traces.logged(batch, Function.identity())) {
            assertThat(MDC.get(Traces.MDC_KEYS)).isEqualTo(TRACE + " " + other);
            assertThat(MDC.get(Traces.MDC_KEY)).isEqualTo("0af7651916cd43dd8448eb211c80319c");
            try (Traces.Logged one = Traces.logged(Traces.parse(GIVEN, null))) {
                assertThat(MDC.get(Traces.MDC_KEY)).isEqualTo(TRACE);
                assertThat(MDC.get(Traces.MDC_KEYS)).isNull();
            }
            assertThat(MDC.get(Traces.MDC_KEYS)).isEqualTo(TRACE + " " + other);
            assertThat(MDC.get(Traces.MDC_KEY)).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        }
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
        try (Traces.Logged one = Traces.logged(List.of(GIVEN), Function.identity())) {
            assertThat(MDC.get(Traces.MDC_KEY)).isEqualTo(TRACE);
            assertThat(MDC.get(Traces.MDC_KEYS)).isNull();
        }
        try (Traces.Logged none = Traces.logged(List.of("garbage", "bad"), Function.identity())) {
            assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
        }
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }
}
