package dev.herald.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Latencies (microseconds, HdrHistogram) of successful operations, and counts of each outcome. */
final class Stats {

    static final long MAX_MICROS = 120_000_000L;

    private final Recorder recorder = new Recorder(MAX_MICROS, 3);
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final Map<String, String> samples = new ConcurrentHashMap<>();
    final LongAdder ok = new LongAdder();
    final LongAdder failed = new LongAdder();

    void success(String outcome, long nanos) {
        recorder.recordValue(Math.max(1, Math.min(MAX_MICROS, nanos / 1_000)));
        ok.increment();
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    void failure(String outcome, String sample) {
        failed.increment();
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
        if (sample != null) {
            samples.putIfAbsent(outcome, sample.length() > 300 ? sample.substring(0, 300) : sample);
        }
    }

    /** Writes ok, errors, latency percentiles (ms) and the achieved rate over {@code seconds}. */
    ObjectNode toJson(ObjectNode node, double seconds, String rateName) {
        Histogram h = recorder.getIntervalHistogram();
        long okCount = ok.sum();
        node.put("ok", okCount);
        node.put("errors", failed.sum());
        node.put("elapsed_s", round(seconds, 3));
        node.put(rateName, round(seconds > 0 ? okCount / seconds : 0, 1));
        node.put("p50_ms", ms(h.getValueAtPercentile(50)));
        node.put("p90_ms", ms(h.getValueAtPercentile(90)));
        node.put("p99_ms", ms(h.getValueAtPercentile(99)));
        node.put("p999_ms", ms(h.getValueAtPercentile(99.9)));
        node.put("max_ms", ms(h.getMaxValue()));
        node.put("mean_ms", round(h.getMean() / 1000.0, 3));
        ObjectNode byOutcome = node.putObject("outcomes");
        new TreeMap<>(outcomes).forEach((k, v) -> byOutcome.put(k, v.sum()));
        if (!samples.isEmpty()) {
            ObjectNode s = node.putObject("error_samples");
            new TreeMap<>(samples).forEach(s::put);
        }
        return node;
    }

    private static double ms(long micros) {
        return round(micros / 1000.0, 3);
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
