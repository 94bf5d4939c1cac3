package dev.herald.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.Invariants.Delivery;
import dev.herald.testing.Invariants.Sink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The example sink's archive as the invariant checker reads it: every line of every {@code <topic>.jsonl}, in
 * file order, as a delivery of the CloudEvent it holds. Also the topics and consumer group that keep a test's
 * archive apart from other tests on the shared Kafka.
 */
record ArchiveFiles(Path dir, String topic) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static ArchiveFiles fresh(Path dir) {
        return new ArchiveFiles(dir, "archive-test-" + UUID.randomUUID());
    }

    /** The archive on, into {@link #dir}, reading its own topics with its own consumer group. */
    Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("herald.sinks.archive.enabled", "true");
        settings.put("herald.sinks.archive.dir", dir.toString());
        settings.put("herald.sinks.archive.group", topic);
        settings.put("herald.topics.customers", topic);
        settings.put("herald.topics.orders", topic + "-orders");
        settings.put("herald.sinks.initial-backoff", "50");
        settings.put("herald.sinks.max-backoff", "200");
        return settings;
    }

    Sink sink(boolean exactlyOnce) {
        return new Sink("archive", exactlyOnce, this::deliveries);
    }

    List<Delivery> deliveries() {
        List<Delivery> deliveries = new ArrayList<>();
        for (String line : lines()) {
            try {
                JsonNode event = JSON.readTree(line);
                deliveries.add(new Delivery(event.get("id").asText(), event.get("subject").asText(), line));
            } catch (IOException e) {
                throw new UncheckedIOException("archive line is not JSON: " + line, e);
            }
        }
        return deliveries;
    }

    /** Every line of the archive's files; an empty list before the first event arrived. */
    List<String> lines() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> lines = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                Files.readAllLines(file).stream().filter(line -> !line.isEmpty()).forEach(lines::add);
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
