package dev.herald.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.HubProcess;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * herald.log.format=json: once the settings are read, every line the hub writes is one JSON object a log collector
 * can take (level, logger, the formatted message, MDC), through its start, a request and its stop.
 */
class JsonLogsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyLineAfterTheSettingsAreReadIsAJsonObject() throws Exception {
        Path dir = Files.createTempDirectory("herald-json-logs");
        Path log = dir.resolve("hub.log");
        HubProcess hub = HubProcess.start(Map.of("herald.data.dir", dir.resolve("data").toString(),
                "herald.embedded.durable", "false", "herald.log.format", "json"), TestHub.freePort(), log);
        try {
            assertThat(hub.http.post("/api/customers", "{\"full_name\":\"Ada\",\"email\":\"ada@example.com\"}")
                    .status()).isEqualTo(201);
            hub.signalTerm();
            assertThat(hub.exitStatus(Duration.ofSeconds(60))).isZero();
        } finally {
            hub.kill();
        }
        List<String> lines = Files.readAllLines(log);
        int first = 0;
        while (first < lines.size() && !lines.get(first).startsWith("{")) {
            first++;
        }
        assertThat(first).as("lines before the switch (the settings are read first)").isLessThan(15);
        List<JsonNode> records = new ArrayList<>();
        for (String line : lines.subList(first, lines.size())) {
            if (!line.isBlank()) {
                records.add(JSON.readTree(line));   // fails the test on a line that is not JSON
            }
        }
        assertThat(records).allSatisfy(r -> assertThat(r.has("level") && r.has("loggerName")
                && r.has("timestamp")).as(r.toString()).isTrue());
        assertThat(records).anySatisfy(r -> assertThat(r.path("formattedMessage").asText()).contains("Herald stopped in"));
        assertThat(records).anySatisfy(r -> assertThat(r.path("loggerName").asText()).isEqualTo("dev.herald.Hub"));
    }
}
