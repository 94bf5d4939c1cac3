package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zero-install run: embedded PostgreSQL and Kafka under herald.data.dir, kept across restarts. */
class RestartTest {

    @Test
    void embeddedEnginesKeepDataAcrossARestart(@TempDir Path dataDir) {
        Map<String, String> settings = Map.of("herald.data.dir", dataDir.toString(), "herald.db.url", "",
                "herald.kafka.brokers", "");
        String id;
        try (TestHub hub = TestHub.startWith(settings)) {
            assertThat(hub.http.get("/observe/health").json().get("status").asText()).isEqualTo("UP");
            Response created = hub.http.post("/api/customers", "{\"full_name\":\"Kept\",\"email\":\"kept@example.com\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            id = created.json().get("aggregate_id").asText();
        }
        try (TestHub hub = TestHub.startWith(settings)) {
            Response read = hub.http.get("/api/customers/" + id);
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.json().get("email").asText()).isEqualTo("kept@example.com");
            assertThat(hub.http.get("/api/customers/" + id + "/events").json().at("/events/0/status").asText())
                    .isEqualTo("published");
            Response updated = hub.http.put("/api/customers/" + id, "{\"full_name\":\"Still kept\"}", "If-Match", "\"1\"");
            assertThat(updated.status()).as(updated.toString()).isEqualTo(201);
        }
    }
}
