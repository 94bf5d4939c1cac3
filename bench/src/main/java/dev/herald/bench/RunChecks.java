package dev.herald.bench;

import static dev.herald.bench.Cells.errors;
import static dev.herald.bench.Cells.num;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** The checks below the table: failures and notes of the run, then what each session's hub and load did. */
final class RunChecks {

    private RunChecks() {
    }

    static void append(StringBuilder b, JsonNode meta, JsonNode sessions) {
        b.append("\n## Checks\n\n");
        for (JsonNode f : meta.path("failures")) {
            b.append("- **FAILED**: ").append(f.asText()).append("\n");
        }
        for (JsonNode n : meta.path("notes")) {
            b.append("- note: ").append(n.asText()).append("\n");
        }
        for (JsonNode s : sessions) {
            if (s.has("webhooks")) {
                JsonNode w = s.get("webhooks");
                b.append("- webhooks: ").append(w.path("fill").path("ok").asLong()).append(" events queued for 4 endpoints (one to warm up);"
                        + " the fan-out had queued them all ").append(w.path("fan_out_caught_up_s").asDouble())
                        .append(" s after the last command; the hanging endpoint received ")
                        .append(w.path("hanging_received").asLong()).append(" requests (never answered); hub RSS max ")
                        .append(s.path("hub").path("rss_max_mb").asDouble()).append(" MB\n");
                continue;
            }
            if (s.has("rabbitmq_drain")) {
                b.append("- rabbitmq: Kafka backlog made with the bridge off, then the hub restarted with it on (one")
                        .append(" CloudEvents consumer binding `#`); the embedded AMQP broker (Qpid Broker-J) serves both")
                        .append(" the bridge and the raw publisher\n");
                continue;
            }
            if (s.has("relay_debezium")) {
                JsonNode r = s.get("relay_debezium");
                b.append("- relay-debezium: ").append(r.path("database").asText()).append("; ")
                        .append(num(r.path("events").asDouble())).append(" events of ").append(r.path("event_bytes").asLong())
                        .append(" B per drain; drains:");
                for (JsonNode d : r.path("drains")) {
                    b.append(' ').append(d.path("who").asText()).append(' ').append(d.path("drained").asLong())
                            .append(d.has("in_topics") ? " (" + d.path("in_topics").asLong() + " in its topic)" : "")
                            .append(d.path("complete").asBoolean() ? "" : " **incomplete**").append(',');
                }
                b.setLength(b.length() - 1);
                b.append("\n");
                continue;
            }
            if (s.has("sagas")) {
                JsonNode g = s.get("sagas");
                b.append("- saga: the payment and inventory services answer at once in the load generator's JVM (their CPU")
                        .append(" is the load generator's); Herald's figure counts from the first order sent to the last")
                        .append(" saga ended (order intake included); the services saw ").append(g.path("payment_requests").asLong())
                        .append(" payment and ").append(g.path("inventory_requests").asLong())
                        .append(" inventory requests in all (warm-up and plain client included); the plain client's orders")
                        .append(" were placed with the saga type held (no saga started for them); hub RSS max ")
                        .append(s.path("hub").path("rss_max_mb").asDouble()).append(" MB\n");
                continue;
            }
            if (s.has("projection_catchup")) {
                b.append("- projection: order events written to the store in SQL while the hub held its projection,")
                        .append(" then let go; the plain JDBC baseline reads the store the same way (commit order) into a")
                        .append(" copy of the read table, in the same run, after the projection caught up\n");
                continue;
            }
            if (s.has("timetravel")) {
                JsonNode t = s.get("timetravel");
                b.append("- timetravel: one customer, created through the API, then ")
                        .append(num(t.path("events").asDouble() - 1)).append(" customer.updated events written in SQL; the")
                        .append(" reads without snapshots ran on a hub with herald.eventsourcing.snapshot-every=0, those")
                        .append(" with snapshots on a hub restarted on the same store, after warm-up reads had taken them;")
                        .append(" each read must answer the version of the time it asked for (ETag), else it counts as")
                        .append(" an error\n");
                continue;
            }
            if (s.has("fill")) {
                JsonNode f = s.get("fill");
                JsonNode d = s.path("relay_drain");
                b.append("- relay: backlog made by ").append(f.path("ok").asLong()).append(" accepted commands at ")
                        .append(num(f.path("achieved_per_s").asDouble())).append(" cmd/s").append(errors(f))
                        .append("; after the restart the events table held ").append(d.path("events_in_db").asLong())
                        .append(" events, ").append(d.path("pending_at_end").asLong()).append(" unpublished when the watch ended")
                        .append("; hub RSS max ").append(s.path("hub").path("rss_max_mb").asDouble()).append(" MB while draining\n");
                continue;
            }
            JsonNode c = s.path("hub_db_check");
            b.append("- ").append(s.path("scenario").asText()).append(": hub answered 2xx to ")
                    .append(c.path("accepted_2xx_including_warmup").asLong()).append(" commands (probe and warm-up included); its events table holds ")
                    .append(c.path("events").asLong()).append(" events (").append(c.path("events_unpublished").asLong())
                    .append(" not published), ").append(c.path("commands").asLong())
                    .append(" command rows; Herald's envelopes average ").append(c.path("envelope_avg_bytes").asLong())
                    .append(" B, the raw baseline's are ").append(s.path("raw_jdbc").path("envelope_bytes").asInt())
                    .append(" B").append(c.has("error") ? "; check failed: " + c.get("error").asText() : "")
                    .append(s.has("probe_failure") ? "; first request failed: " + s.get("probe_failure").asText() : "")
                    .append("\n");
            double lag = 0;
            for (JsonNode r : s.path("fixed_rate")) {
                lag = Math.max(lag, r.path("max_send_lag_ms").asDouble());
            }
            b.append("  - load generator: largest lag behind its send timeline ").append(String.format(Locale.ROOT, "%.1f ms", lag))
                    .append(" (large values mean the generator or its in-flight cap, not only the hub, limited the rate)\n");
            b.append("  - hub RSS: ").append(s.path("hub").path("rss_ready_mb").asDouble()).append(" MB when ready, ")
                    .append(s.path("hub").path("rss_max_mb").asDouble()).append(" MB max\n");
        }
    }
}
