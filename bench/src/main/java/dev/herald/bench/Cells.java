package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/** How the report writes a measurement: rates, latencies, error counts, and the cells built from them. */
final class Cells {

    private Cells() {
    }

    static String intake(JsonNode r) {
        long notSent = r.path("not_sent").asLong();
        return num(r.path("achieved_per_s").asDouble()) + " cmd/s · p50 " + ms(r.path("p50_ms")) + " · p99 "
                + ms(r.path("p99_ms")) + " · max " + ms(r.path("max_ms")) + errors(r)
                + (notSent > 0 ? " · " + notSent + " of " + r.path("scheduled").asLong()
                        + " never sent (hub too far behind; step cut at 2x its duration)" : "");
    }

    static String errors(JsonNode r) {
        long ok = r.path("ok").asLong();
        long errors = r.path("errors").asLong();
        if (errors == 0) {
            return ok > 0 ? " · 0 errors" : " · nothing succeeded";
        }
        StringBuilder b = new StringBuilder(" · ").append(errors).append(" errors (");
        Iterator<Map.Entry<String, JsonNode>> it = r.path("outcomes").fields();
        boolean first = true;
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("201") || e.getKey().equals("202") || e.getKey().equals("200")
                    || e.getKey().equals("commit") || e.getKey().equals("acked")) {
                continue;
            }
            b.append(first ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue().asLong());
            first = false;
        }
        return b.append(")").toString();
    }

    static String deliveries(JsonNode r) {
        return num(r.path("per_s").asDouble()) + " deliveries/s (" + r.path("received").asLong() + " of "
                + r.path("expected").asLong() + " in " + String.format(Locale.ROOT, "%.1f s", r.path("elapsed_s").asDouble())
                + (r.path("errors").asLong() > 0 ? ", " + r.path("errors").asLong() + " errors" : "") + ")";
    }

    static String kafka(JsonNode k) {
        return "plain KafkaProducer (acks=all, idempotent): " + num(k.path("records_per_s").asDouble())
                + " records/s (" + k.path("records").asLong() + " × " + k.path("record_bytes").asInt() + " B"
                + errors(k) + ")";
    }

    static String num(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String ms(JsonNode v) {
        double d = v.asDouble();
        return d >= 100 ? String.format(Locale.ROOT, "%.0f ms", d)
                : d >= 10 ? String.format(Locale.ROOT, "%.1f ms", d) : String.format(Locale.ROOT, "%.2f ms", d);
    }
}
