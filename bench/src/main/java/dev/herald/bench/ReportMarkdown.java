package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** results/STAMP.md: the run and the machine, the scenario table, its notes, the checks, the latency plot. */
final class ReportMarkdown {

    private ReportMarkdown() {
    }

    /** {@code png}: the plot's file name beside the page, or null when there is none. */
    static String of(ObjectNode root, String png) {
        StringBuilder b = new StringBuilder();
        JsonNode meta = root.get("meta");
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

        ScenarioTable.append(b, root.get("sessions"));
        PeerTable.append(b, root.get("sessions"));
        b.append("\nHerald cells: commands/s achieved · latency p50 / p99 / max (open model: from the intended send time) · errors by status.\n");
        b.append("The RabbitMQ, projection, saga and timetravel scenarios run when asked for (`--modes rabbitmq`, `--modes projection`,"
                + " `--modes saga`, `--modes timetravel`).\n");

        RunChecks.append(b, meta, root.get("sessions"));
        if (png != null) {
            b.append("\n![latency against offered load](").append(png).append(")\n");
        }
        return b.toString();
    }
}
