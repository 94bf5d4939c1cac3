package dev.herald.bench;

import static dev.herald.bench.Cells.deliveries;
import static dev.herald.bench.Cells.errors;
import static dev.herald.bench.Cells.intake;
import static dev.herald.bench.Cells.kafka;
import static dev.herald.bench.Cells.ms;
import static dev.herald.bench.Cells.num;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The scenario table: Herald beside the raw baseline of the same run, their ratio and its target. */
final class ScenarioTable {

    /** Issue 7 targets: Herald/raw ratio per scenario. */
    private static final Map<String, Double> TARGETS = Map.of("intake-sync", 0.5, "intake-outbox", 0.7,
            "relay", 0.6, "rabbitmq", 0.6, "projection", 0.5);
    private static final double RSS_TARGET_MB = 512;
    /** Below this backlog a drain rate says more about the polling interval than about the relay. */
    private static final long MIN_BACKLOG = 1_000;

    private ScenarioTable() {
    }

    static void append(StringBuilder b, JsonNode sessions) {
        b.append("| scenario | Herald | raw baseline (same run, same engines) | ratio Herald/raw | target |\n");
        b.append("|---|---|---|---|---|\n");
        double rssMax = 0;
        List<String> ready = new ArrayList<>();
        JsonNode rawKafka = null;
        for (JsonNode s : sessions) {
            String scenario = s.path("scenario").asText();
            for (JsonNode r : s.path("fixed_rate")) {
                b.append("| ").append(scenario).append(", open model ").append(num(r.path("offered_per_s").asDouble()))
                        .append(" req/s | ").append(intake(r)).append(" | – | – | – |\n");
            }
            JsonNode sat = s.path("saturation");
            if (!sat.isMissingNode()) {
                saturationRow(b, scenario, sat, s.path("raw_jdbc"));
            }
            if (s.path("hub").path("time_to_ready_ms").asDouble() > 0) {
                ready.add(s.path("mode").asText() + " " + String.format(Locale.ROOT, "%.1f s",
                        s.path("hub").path("time_to_ready_ms").asDouble() / 1000));
            }
            rssMax = Math.max(rssMax, s.path("hub").path("rss_max_mb").asDouble());
            if (s.has("raw_kafka")) {
                rawKafka = s.get("raw_kafka");
            }
        }
        boolean anyDrain = false;
        for (JsonNode s : sessions) {
            if (s.has("relay_drain")) {
                anyDrain = true;
                relayRow(b, s, rawKafka);
            }
        }
        for (JsonNode s : sessions) {
            if (s.has("webhooks")) {
                webhookRows(b, s.get("webhooks"));
            }
        }
        if (!anyDrain) {
            b.append("| relay drain | not measured | ").append(rawKafka == null ? "not measured" : kafka(rawKafka))
                    .append(" | – | ≥ 0.6x |\n");
        }
        for (JsonNode s : sessions) {
            if (s.has("rabbitmq_drain")) {
                rabbitRow(b, s);
            }
        }
        for (JsonNode s : sessions) {
            if (s.has("projection_catchup")) {
                projectionRow(b, s.get("projection_catchup"));
            }
        }
        for (JsonNode s : sessions) {
            if (s.has("sagas")) {
                sagaRow(b, s.get("sagas"));
            }
        }
        for (JsonNode s : sessions) {
            if (s.has("timetravel")) {
                timeTravelRows(b, s.get("timetravel"));
            }
        }
        footprintRows(b, ready, rssMax);
    }

    /** Catch-up of the shipped projection beside the same upserts by plain JDBC, in the same run. */
    private static void projectionRow(StringBuilder b, JsonNode p) {
        double ratio = p.path("herald_per_s").asDouble() / Math.max(1e-9, p.path("raw_per_s").asDouble());
        double target = TARGETS.get("projection");
        b.append("| projection catch-up (customer-order-totals over ").append(num(p.path("events").asDouble()))
                .append(" events, output topic on) | ").append(num(p.path("herald_per_s").asDouble()))
                .append(" events/s (").append(num(p.path("caught_up").asDouble())).append(" in ")
                .append(String.format(Locale.ROOT, "%.1f s", p.path("seconds").asDouble()))
                .append(") | plain JDBC, same upsert per event, 500 per transaction: ")
                .append(num(p.path("raw_per_s").asDouble())).append(" events/s | **")
                .append(String.format(Locale.ROOT, "%.2fx", ratio)).append("** | ")
                .append(String.format(Locale.ROOT, "≥ %.1fx %s", target, ratio >= target ? "✅" : "❌")).append(" |\n");
    }

    /**
     * ?as_of= reads of one customer with N events, with snapshots beside the same reads folding from version 1
     * (a hub with herald.eventsourcing.snapshot-every=0 on the same store, just before): the ratio is the speed-up.
     */
    private static void timeTravelRows(StringBuilder b, JsonNode t) {
        JsonNode with = t.path("snapshots");
        JsonNode full = t.path("full");
        for (String read : List.of("latest", "random", "throughput")) {
            JsonNode w = with.path(read);
            JsonNode f = full.path(read);
            boolean loop = read.equals("throughput");
            b.append("| time travel: `?as_of=` ").append(switch (read) {
                case "latest" -> "the newest event's time";
                case "random" -> "a random event's time";
                default -> "random times, " + w.path("clients").asInt() + " clients";
            }).append(", a customer with ").append(num(t.path("events").asDouble())).append(" events, snapshots every ")
                    .append(with.path("snapshot_every").asInt()).append(" | ").append(travel(w, loop))
                    .append(" | full replay (no snapshots, same store): ").append(travel(f, loop)).append(" | **")
                    .append(String.format(Locale.ROOT, "%.1fx", loop
                            ? w.path("reads_per_s").asDouble() / Math.max(1e-9, f.path("reads_per_s").asDouble())
                            : f.path("p50_ms").asDouble() / Math.max(1e-9, w.path("p50_ms").asDouble())))
                    .append(loop ? " reads/s" : " faster p50").append("** | – |\n");
        }
    }

    private static String travel(JsonNode r, boolean loop) {
        return (loop ? num(r.path("reads_per_s").asDouble()) + " reads/s · " : "") + "p50 " + ms(r.path("p50_ms"))
                + " · p99 " + ms(r.path("p99_ms")) + " · " + num(r.path("events_folded_mean").asDouble())
                + " events folded per read" + errors(r);
    }

    /**
     * Order-fulfilment sagas completed against instant local services, beside a plain client making the same three
     * HTTP calls per order with as many orders at once as the hub's runner (issue 23: no target, a ratio).
     */
    private static void sagaRow(StringBuilder b, JsonNode s) {
        JsonNode h = s.path("herald");
        JsonNode p = s.path("plain");
        long other = h.path("orders_placed").asLong() - h.path("completed").asLong();
        b.append("| sagas: order-fulfilment, ").append(h.path("orders_placed").asLong()).append(" orders placed by ")
                .append(s.path("intake_clients").asInt()).append(" clients, ").append(s.path("saga_concurrency").asInt())
                .append(" saga(s) at once | ").append(num(h.path("sagas_per_s").asDouble()))
                .append(" sagas/s completed · order → order.confirmed p50 ").append(ms(h.path("p50_ms")))
                .append(" · p99 ").append(ms(h.path("p99_ms"))).append(" · max ").append(ms(h.path("max_ms")))
                .append(other > 0 ? " · **" + other + " not completed** " + h.path("statuses") : "")
                .append(" | plain client, payment POST + reservation POST + confirm POST per order, ")
                .append(p.path("at_once").asInt()).append(" at once: ").append(num(p.path("orders_per_s").asDouble()))
                .append(" orders/s · p50 ").append(ms(p.path("p50_ms"))).append(" · p99 ").append(ms(p.path("p99_ms")))
                .append(errors(p)).append(" | **").append(String.format(Locale.ROOT, "%.2fx", s.path("ratio").asDouble()))
                .append("** | – |\n");
    }

    /** Closed-loop saturation against plain JDBC transactions on the same database: the intake ratio. */
    private static void saturationRow(StringBuilder b, String scenario, JsonNode sat, JsonNode raw) {
        Double target = TARGETS.get(scenario);
        b.append("| ").append(scenario).append(", saturation (closed loop, ").append(sat.path("clients").asInt())
                .append(" clients) | ").append(intake(sat)).append(" | ");
        if (raw.isMissingNode() || raw.path("ops_per_s").asDouble() <= 0) {
            b.append("not measured | – | ");
        } else {
            double ratio = sat.path("achieved_per_s").asDouble() / raw.path("ops_per_s").asDouble();
            b.append("plain JDBC: ").append(num(raw.path("ops_per_s").asDouble())).append(" tx/s · p50 ")
                    .append(ms(raw.path("p50_ms"))).append(" · p99 ").append(ms(raw.path("p99_ms")))
                    .append(" (").append(raw.path("threads").asInt()).append(" threads, pool ")
                    .append(raw.path("pool_size").asInt()).append(errors(raw)).append(") | **")
                    .append(String.format(Locale.ROOT, "%.2fx", ratio)).append("** | ");
            if (target != null) {
                b.append(String.format(Locale.ROOT, "≥ %.1fx %s", target, ratio >= target ? "✅" : "❌"));
            }
        }
        b.append(" |\n");
    }

    private static void footprintRows(StringBuilder b, List<String> ready, double rssMax) {
        b.append("| footprint: time to ready (start → /observe/health 200) | ").append(String.join(", ", ready))
                .append(" | – | – | – |\n");
        b.append("| footprint: hub JVM RSS, max sampled under load | ").append(String.format(Locale.ROOT, "%.0f MB", rssMax))
                .append(" | – | – | ").append(String.format(Locale.ROOT, "≤ %.0f MB %s", RSS_TARGET_MB,
                        rssMax <= RSS_TARGET_MB ? "✅" : "❌")).append(" |\n");
    }

    /** Issue 7: >= 5,000 deliveries/s to a fast receiver; a hanging endpoint costs the others < 10 %. */
    private static void webhookRows(StringBuilder b, JsonNode w) {
        JsonNode alone = w.path("alone");
        JsonNode beside = w.path("beside_hanging");
        JsonNode raw = w.path("raw_http");
        double rate = alone.path("per_s").asDouble();
        b.append("| webhooks: deliveries to a fast receiver (backlog of ").append(alone.path("expected").asLong())
                .append(") | ").append(deliveries(alone)).append(" | plain HttpClient, same bodies, ")
                .append(raw.path("in_flight").asInt()).append(" in flight: ").append(deliveries(raw)).append(" | ");
        if (rate > 0 && raw.path("per_s").asDouble() > 0) {
            b.append(String.format(Locale.ROOT, "**%.2fx**", rate / raw.path("per_s").asDouble()));
        } else {
            b.append("–");
        }
        b.append(String.format(Locale.ROOT, " | ≥ 5,000/s %s |%n", rate >= 5_000 ? "✅" : "❌"));
        double cost = rate > 0 ? 1 - beside.path("per_s").asDouble() / rate : 1;
        b.append("| webhooks: the same, beside an endpoint that never answers | ").append(deliveries(beside))
                .append(" | the fast endpoint alone (row above) | ")
                .append(String.format(Locale.ROOT, "cost %.0f %%", cost * 100))
                .append(String.format(Locale.ROOT, " | < 10 %% %s |%n", cost < 0.10 ? "✅" : "❌"));
    }

    /**
     * Kafka backlog -> bridge -> embedded AMQP broker, beside a plain amqp-client with confirms on that broker: the
     * goal (>= 0.6x) is against the raw client batching its confirms as the bridge does; the per-message figure stays
     * beside it.
     */
    private static void rabbitRow(StringBuilder b, JsonNode s) {
        JsonNode drain = s.get("rabbitmq_drain");
        JsonNode raw = s.path("raw_amqp");
        JsonNode batched = s.path("raw_amqp_batched");
        double whole = drain.path("events_per_s").asDouble();
        // the ratio compares warm with warm: the bridge's second half (the hub was just restarted) with the raw run
        double herald = drain.path("second_half_events_per_s").asDouble(whole);
        double perMessage = raw.path("messages_per_s").asDouble();
        double base = batched.path("messages_per_s").asDouble(perMessage);
        b.append("| RabbitMQ bridge (Kafka backlog → confirmed AMQP messages, ").append(s.path("settings").path("threads").asInt())
                .append(" threads) | ").append(num(herald)).append(" events/s over the second half; ").append(num(whole))
                .append(" over the whole drain, JIT warm-up included (").append(drain.path("in_queue_at_end").asLong())
                .append(" of ").append(drain.path("backlog").asLong()).append(drain.path("complete").asBoolean() ? "" : ", **incomplete**")
                .append(") | plain amqp-client");
        if (batched.has("messages_per_s")) {
            b.append(", confirms awaited every ").append(batched.path("confirm_batch").asInt()).append(" messages: ")
                    .append(num(base)).append(" msg/s").append(errors(batched)).append("; a confirm per message: ");
        } else {
            b.append(", confirm per message: ");
        }
        b.append(num(perMessage)).append(" msg/s (").append(raw.path("messages").asLong()).append(" × ")
                .append(raw.path("message_bytes").asInt()).append(" B").append(errors(raw)).append(") | ")
                .append(base > 0 && herald > 0 ? String.format(Locale.ROOT, "%.2fx (whole drain %.2fx)", herald / base, whole / base) : "–")
                .append(batched.has("messages_per_s") && perMessage > 0 && herald > 0
                        ? String.format(Locale.ROOT, "; %.2fx the per-message client", herald / perMessage) : "")
                .append(" | ≥ 0.6x").append(base > 0 && herald > 0 ? (herald / base >= 0.6 ? " ✅" : " ❌") : "").append(" |\n");
    }

    private static String errors(JsonNode raw) {
        return raw.path("errors").asLong() > 0 ? ", " + raw.path("errors").asLong() + " errors" : "";
    }

    private static void relayRow(StringBuilder b, JsonNode s, JsonNode rawKafka) {
        JsonNode drain = s.get("relay_drain");
        boolean controlled = drain.path("controlled_backlog").asBoolean();
        long backlog = drain.path("backlog_at_end_of_load").asLong();
        b.append(controlled
                ? "| relay drain (backlog made with the relay paused, then the hub restarted) | "
                : "| relay catch-up (backlog the relay had not published when the outbox load stopped) | ");
        boolean measured = backlog >= MIN_BACKLOG && drain.path("events_per_s").asDouble() > 0;
        if (backlog >= MIN_BACKLOG && drain.path("drained").asLong() == 0) {
            b.append("**no progress**: ").append(backlog).append(" events pending, none published during the watch (")
                    .append(controlled ? "at most " + s.path("settings").path("relay-wait").asText("?") + " s"
                            : "stopped after " + drain.path("stall_cutoff_s").asText("?") + " s without progress")
                    .append(")");
        } else if (!measured) {
            b.append("not timed: only ").append(backlog).append(" events pending when the watch began (< ")
                    .append(MIN_BACKLOG).append(", too few to time)");
        } else {
            if (drain.path("second_half_events_per_s").asDouble() > 0) {
                b.append(num(drain.path("second_half_events_per_s").asDouble())).append(" events/s over the second half; ");
            }
            b.append(num(drain.path("events_per_s").asDouble())).append(" events/s over the whole drain (")
                    .append(drain.path("drained").asLong()).append(" of ").append(backlog).append(" drained in ")
                    .append(String.format(Locale.ROOT, "%.1f s", drain.path("elapsed_s").asDouble()));
            if (drain.path("drained_before_first_sample").asLong() > 0) {
                b.append("; ").append(drain.path("drained_before_first_sample").asLong())
                        .append(" more were published before the first sample");
            }
            if (drain.path("pending_at_end").asLong() > 0) {
                b.append("; ").append(drain.path("pending_at_end").asLong()).append(" still pending when the watch ended");
            }
            b.append(")");
        }
        b.append(" | ").append(rawKafka == null ? "not measured" : kafka(rawKafka)).append(" | ");
        if (measured && rawKafka != null && rawKafka.path("records_per_s").asDouble() > 0) {
            double raw = rawKafka.path("records_per_s").asDouble();
            double whole = drain.path("events_per_s").asDouble() / raw;
            // warm against warm when the drain was long enough to have a second half
            double ratio = drain.path("second_half_events_per_s").asDouble(0) > 0
                    ? drain.path("second_half_events_per_s").asDouble() / raw : whole;
            b.append(String.format(Locale.ROOT, "**%.2fx** (whole drain %.2fx) | ≥ 0.6x %s", ratio, whole,
                    ratio >= 0.6 ? "✅" : "❌"));
        } else {
            b.append("– | ≥ 0.6x");
        }
        b.append(" |\n");
    }
}
