package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubProcess;
import dev.herald.testing.TestHub;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A plain SIGTERM stops the hub quietly (no ERROR, no stack trace in its log) and within the bound
 * docs/operations.md documents, with every engine embedded and the bridges busy at the signal.
 */
class ShutdownTest {

    /** docs/operations.md: "Stopping"; generous, as this machine may be busy. Never a tight timing. */
    private static final Duration BOUND = Duration.ofSeconds(15);

    @Test
    void sigtermStopsQuietlyWithinTheDocumentedBound() throws Exception {
        Path dir = Files.createTempDirectory("herald-shutdown-test"); // kept if the test fails: hub.log shows why
        Path log = dir.resolve("hub.log");
        // no database, Kafka or RabbitMQ URL: all embedded (an empty -D would win over the URL the hub sets)
        Map<String, String> settings = Map.of("herald.data.dir", dir.resolve("data").toString(),
                "herald.rabbitmq.enabled", "true");
        HubProcess hub = HubProcess.start(settings, TestHub.freePort(), log);
        Duration took;
        try {
            // events on their way through the bridges when the signal comes
            for (int i = 0; i < 20; i++) {
                Response created = hub.http.post("/api/customers",
                        "{\"full_name\":\"Stop " + i + "\",\"email\":\"stop" + i + "@example.com\"}");
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
            }
            took = hub.terminate(Duration.ofSeconds(60));
        } finally {
            hub.kill();
        }
        System.out.println("hub exited " + took.toMillis() + " ms after SIGTERM (bound " + BOUND.toSeconds() + " s)");

        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        assertThat(lines).as("hub log").anyMatch(line -> line.contains("Herald stopped in"));
        assertThat(lines.stream().filter(line -> line.contains(" ERROR ") || line.startsWith("\tat ")).toList())
                .as("ERROR and stack trace lines of " + log).isEmpty();
        assertThat(took).isLessThan(BOUND);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
