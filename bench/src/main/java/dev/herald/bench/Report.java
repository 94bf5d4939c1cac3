package dev.herald.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Merges session files into results/STAMP.json, results/STAMP.md (+ latest.md) and a latency PNG. */
final class Report {

    private Report() {
    }

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
        boolean plotted = LatencyPlot.plot(sessions, dir.resolve(png));
        String md = ReportMarkdown.of(root, plotted ? png : null);
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
}
