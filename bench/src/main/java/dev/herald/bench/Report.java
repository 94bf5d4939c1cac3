package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Merges session files into results/STAMP.json, results/STAMP.md (+ latest.md) and a latency PNG. */
final class Report {

    /** Issue 7 targets: Herald/raw ratio per scenario. */
    private static final Map<String, Double> TARGETS = Map.of("intake-sync", 0.5, "intake-outbox", 0.7,
            "relay", 0.6, "rabbitmq", 0.6, "projection", 0.5);
    private static final double RSS_TARGET_MB = 512;
    /** Below this backlog a drain rate says more about the polling interval than about the relay. */
    private static final long MIN_BACKLOG = 1_000;

    static void write(Args args) throws IOException {
        Path dir = Path.of(args.require("out-dir"));
        String stamp = args.require("stamp");
        Files.createDirectories(dir);
        ObjectNode root = Main.JSON.createObjectNode();
        ArrayNode sessions;
        if (!args.get("from", "").isEmpty()) {
            // re-render an earlier run's results/<stamp>.json (after a change to this report)
            root = (ObjectNode) Main.JSON.readTree(new File(args.get("from", "")));
            sessions = (ArrayNode) root.get("sessions");
        } else {
            String metaFile = args.get("meta-json", "");
            root.set("meta", metaFile.isEmpty() ? Main.JSON.createObjectNode() : Main.JSON.readTree(new File(metaFile)));
            sessions = root.putArray("sessions");
            for (String f : args.positional) {
                sessions.add(Main.JSON.readTree(new File(f)));
            }
        }
        Path json = dir.resolve(stamp + ".json");
        Main.JSON.writeValue(json.toFile(), root);

        String png = stamp + "-latency.png";
        boolean plotted = plot(sessions, dir.resolve(png));
        String md = markdown(root, plotted ? png : null);
        Files.writeString(dir.resolve(stamp + ".md"), md);
        Files.writeString(dir.resolve("latest.md"), md);
        if (plotted) {
            Files.copy(dir.resolve(png), dir.resolve("latest-latency.png"), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.deleteIfExists(dir.resolve("latest-latency.png"));
        }
        Files.copy(json, dir.resolve("latest.json"), StandardCopyOption.REPLACE_EXISTING);
        System.out.print(md);
    }

    private static String markdown(ObjectNode root, String png) {
        JsonNode meta = root.get("meta");
        StringBuilder b = new StringBuilder();
        b.append("# Herald benchmark ").append(meta.path("stamp").asText()).append("\n\n");
        b.append("- run: `").append(meta.path("command").asText("bench/run")).append("` (")
                .append(meta.path("profile").asText("?")).append(" mode), database: ")
                .append(meta.path("db").asText("embedded")).append(", Kafka: embedded\n");
        b.append("- herald commit: ").append(meta.path("git_commit").asText("?"))
                .append(meta.path("git_dirty").asBoolean() ? " (with uncommitted changes)" : "").append("\n");
        b.append("- machine: ").append(meta.path("cpu").asText("?")).append(", ").append(meta.path("cores").asText("?"))
                .append(" cores, ").append(meta.path("mem_total_mb").asText("?")).append(" MB RAM, load average at start ")
                .append(meta.path("loadavg_start").asText("?")).append(", ").append(meta.path("java").asText("?"))
                .append("\n");
        b.append("- hub JVM options: `").append(meta.path("hub_java_opts").asText("")).append("` (empty = JVM defaults)\n\n");

        b.append("| scenario | Herald | raw baseline (same run, same engines) | ratio Herald/raw | target |\n");
        b.append("|---|---|---|---|---|\n");
        double rssMax = 0;
        List<String> ready = new ArrayList<>();
        JsonNode rawKafka = null;
        for (JsonNode s : root.get("sessions")) {
            String scenario = s.path("scenario").asText();
            for (JsonNode r : s.path("fixed_rate")) {
                b.append("| ").append(scenario).append(", open model ").append(num(r.path("offered_per_s").asDouble()))
                        .append(" req/s | ").append(intake(r)).append(" | – | – | – |\n");
            }
            JsonNode sat = s.path("saturation");
            JsonNode raw = s.path("raw_jdbc");
            Double target = TARGETS.get(scenario);
            if (!sat.isMissingNode()) {
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
        for (JsonNode s : root.get("sessions")) {
            if (s.has("relay_drain")) {
                anyDrain = true;
                relayRow(b, s, rawKafka);
            }
        }
        for (JsonNode s : root.get("sessions")) {
            if (s.has("webhooks")) {
                webhookRows(b, s.get("webhooks"));
            }
        }
        if (!anyDrain) {
            b.append("| relay drain | not measured | ").append(rawKafka == null ? "not measured" : kafka(rawKafka))
                    .append(" | – | ≥ 0.6x |\n");
        }
        for (JsonNode s : root.get("sessions")) {
            if (s.has("rabbitmq_drain")) {
                rabbitRow(b, s);
            }
        }
        for (JsonNode s : root.get("sessions")) {
            if (s.has("projection_catchup")) {
                JsonNode p = s.get("projection_catchup");
                double ratio = p.path("herald_per_s").asDouble() / Math.max(1e-9, p.path("raw_per_s").asDouble());
                b.append("| projection catch-up (customer-order-totals over ").append(num(p.path("events").asDouble()))
                        .append(" events, output topic on) | ").append(num(p.path("herald_per_s").asDouble()))
                        .append(" events/s (").append(num(p.path("caught_up").asDouble())).append(" in ")
                        .append(String.format(Locale.ROOT, "%.1f s", p.path("seconds").asDouble()))
                        .append(") | plain JDBC, same upsert per event, 500 per transaction: ")
                        .append(num(p.path("raw_per_s").asDouble())).append(" events/s | **")
                        .append(String.format(Locale.ROOT, "%.2fx", ratio)).append("** | ")
                        .append(String.format(Locale.ROOT, "≥ %.1fx %s", TARGETS.get("projection"),
                                ratio >= TARGETS.get("projection") ? "✅" : "❌")).append(" |\n");
            }
        }
        b.append("| footprint: time to ready (start → /observe/health 200) | ").append(String.join(", ", ready))
                .append(" | – | – | – |\n");
        b.append("| footprint: hub JVM RSS, max sampled under load | ").append(String.format(Locale.ROOT, "%.0f MB", rssMax))
                .append(" | – | – | ").append(String.format(Locale.ROOT, "≤ %.0f MB %s", RSS_TARGET_MB,
                        rssMax <= RSS_TARGET_MB ? "✅" : "❌")).append(" |\n");

        b.append("\nHerald cells: commands/s achieved · latency p50 / p99 / max (open model: from the intended send time) · errors by status.\n");
        b.append("The RabbitMQ and projection scenarios run when asked for (`--modes rabbitmq`, `--modes projection`).\n");

        b.append("\n## Checks\n\n");
        for (JsonNode f : meta.path("failures")) {
            b.append("- **FAILED**: ").append(f.asText()).append("\n");
        }
        for (JsonNode n : meta.path("notes")) {
            b.append("- note: ").append(n.asText()).append("\n");
        }
        for (JsonNode s : root.get("sessions")) {
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
            if (s.has("projection_catchup")) {
                b.append("- projection: order events written to the store in SQL while the hub held its projection,")
                        .append(" then let go; the plain JDBC baseline reads the store the same way (commit order) into a")
                        .append(" copy of the read table, in the same run, after the projection caught up\n");
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
        if (png != null) {
            b.append("\n![latency against offered load](").append(png).append(")\n");
        }
        return b.toString();
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

    private static String deliveries(JsonNode r) {
        return num(r.path("per_s").asDouble()) + " deliveries/s (" + r.path("received").asLong() + " of "
                + r.path("expected").asLong() + " in " + String.format(Locale.ROOT, "%.1f s", r.path("elapsed_s").asDouble())
                + (r.path("errors").asLong() > 0 ? ", " + r.path("errors").asLong() + " errors" : "") + ")";
    }

    private static String kafka(JsonNode k) {
        return "plain KafkaProducer (acks=all, idempotent): " + num(k.path("records_per_s").asDouble())
                + " records/s (" + k.path("records").asLong() + " × " + k.path("record_bytes").asInt() + " B"
                + errors(k) + ")";
    }

    /** Kafka backlog -> bridge -> embedded AMQP broker, beside a plain amqp-client with confirms on that broker. */
    private static void rabbitRow(StringBuilder b, JsonNode s) {
        JsonNode drain = s.get("rabbitmq_drain");
        JsonNode raw = s.path("raw_amqp");
        double whole = drain.path("events_per_s").asDouble();
        // the ratio compares warm with warm: the bridge's second half (the hub was just restarted) with the raw run
        double herald = drain.path("second_half_events_per_s").asDouble(whole);
        double base = raw.path("messages_per_s").asDouble();
        b.append("| RabbitMQ bridge (Kafka backlog → confirmed AMQP messages, ").append(s.path("settings").path("threads").asInt())
                .append(" threads) | ").append(num(herald)).append(" events/s over the second half; ").append(num(whole))
                .append(" over the whole drain, JIT warm-up included (").append(drain.path("in_queue_at_end").asLong())
                .append(" of ").append(drain.path("backlog").asLong()).append(drain.path("complete").asBoolean() ? "" : ", **incomplete**")
                .append(") | plain amqp-client, confirm per message: ").append(num(base)).append(" msg/s (")
                .append(raw.path("messages").asLong()).append(" × ").append(raw.path("message_bytes").asInt()).append(" B")
                .append(raw.path("errors").asLong() > 0 ? ", " + raw.path("errors").asLong() + " errors" : "").append(") | ")
                .append(base > 0 && herald > 0 ? String.format(Locale.ROOT, "%.2fx (whole drain %.2fx)", herald / base, whole / base) : "–")
                .append(" | ≥ 0.6x").append(base > 0 && herald > 0 ? (herald / base >= 0.6 ? " ✅" : " ❌") : "").append(" |\n");
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

    private static String intake(JsonNode r) {
        long notSent = r.path("not_sent").asLong();
        return num(r.path("achieved_per_s").asDouble()) + " cmd/s · p50 " + ms(r.path("p50_ms")) + " · p99 "
                + ms(r.path("p99_ms")) + " · max " + ms(r.path("max_ms")) + errors(r)
                + (notSent > 0 ? " · " + notSent + " of " + r.path("scheduled").asLong()
                        + " never sent (hub too far behind; step cut at 2x its duration)" : "");
    }

    private static String errors(JsonNode r) {
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

    private static String num(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ms(JsonNode v) {
        double d = v.asDouble();
        return d >= 100 ? String.format(Locale.ROOT, "%.0f ms", d)
                : d >= 10 ? String.format(Locale.ROOT, "%.1f ms", d) : String.format(Locale.ROOT, "%.2f ms", d);
    }

    /** p50 and p99 against offered rate, one colour per mode, log-scale latency axis. */
    private static boolean plot(ArrayNode sessions, Path file) throws IOException {
        int w = 900;
        int h = 540;
        int left = 80;
        int right = 200;
        int top = 50;
        int bottom = 60;
        double maxRate = 0;
        double minLat = Double.MAX_VALUE;
        double maxLat = 0;
        int points = 0;
        for (JsonNode s : sessions) {
            for (JsonNode r : s.path("fixed_rate")) {
                maxRate = Math.max(maxRate, r.path("offered_per_s").asDouble());
                for (String p : new String[] {"p50_ms", "p99_ms"}) {
                    double v = r.path(p).asDouble();
                    if (v > 0) {
                        minLat = Math.min(minLat, v);
                        maxLat = Math.max(maxLat, v);
                    }
                }
                points++;
            }
        }
        if (points < 2 || maxLat <= 0) {
            return false;
        }
        double lo = Math.pow(10, Math.floor(Math.log10(minLat)));
        double hi = Math.pow(10, Math.ceil(Math.log10(maxLat * 1.01)));
        if (hi <= lo) {
            hi = lo * 10;
        }
        double xMax = niceCeiling(maxRate * 1.05);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int pw = w - left - right;
        int ph = h - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        // grid: decades on y, 5 ticks on x
        for (double d = lo; d <= hi * 1.001; d *= 10) {
            int y = yOf(d, lo, hi, top, ph);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(d >= 1 ? String.format(Locale.ROOT, "%.0f ms", d) : String.format(Locale.ROOT, "%.2g ms", d),
                    8, y + 4);
        }
        for (int i = 0; i <= 5; i++) {
            double v = xMax * i / 5;
            int x = left + (int) (pw * v / xMax);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x, top, x, top + ph);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.0f", v), x - 12, top + ph + 18);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Herald intake: latency (from intended send time) vs offered load", left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("offered load, requests/s (open model)", left + pw / 2 - 100, h - 15);
        Color[] colours = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(148, 103, 189)};
        int legendY = top + 10;
        int c = 0;
        for (JsonNode s : sessions) {
            Color colour = colours[c++ % colours.length];
            for (String p : new String[] {"p50_ms", "p99_ms"}) {
                boolean dashed = p.startsWith("p99");
                g.setColor(colour);
                g.setStroke(dashed ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                        new float[] {8f, 5f}, 0f) : new BasicStroke(2.5f));
                int px = -1;
                int py = -1;
                for (JsonNode r : s.path("fixed_rate")) {
                    int x = left + (int) (pw * r.path("offered_per_s").asDouble() / xMax);
                    int y = yOf(Math.max(lo, r.path(p).asDouble()), lo, hi, top, ph);
                    if (px >= 0) {
                        g.drawLine(px, py, x, y);
                    }
                    g.fillOval(x - 4, y - 4, 8, 8);
                    px = x;
                    py = y;
                }
                g.drawLine(left + pw + 15, legendY, left + pw + 45, legendY);
                g.setColor(Color.BLACK);
                g.drawString(s.path("scenario").asText() + " " + p.substring(0, 3), left + pw + 50, legendY + 4);
                legendY += 20;
            }
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
        return true;
    }

    /** The smallest of 1, 1.25, 1.5, 2, 2.5, 5 x 10^k at or above v, so the five x ticks are round numbers. */
    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.25, 1.5, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static int yOf(double v, double lo, double hi, int top, int ph) {
        double f = (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
        return top + ph - (int) Math.round(f * ph);
    }
}
