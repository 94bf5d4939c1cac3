package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
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

    /**
     * The embedded Kafka starts beside the embedded PostgreSQL: when Kafka's start fails (here its data directory is
     * a file), the failed start still stops the PostgreSQL started meanwhile, which would otherwise be left running
     * on the data directory (postmaster.pid is there exactly while a postmaster runs on it).
     */
    @Test
    void aFailedKafkaStartStopsThePostgresStartedBesideIt(@TempDir Path dataDir) throws Exception {
        Files.writeString(dataDir.resolve("kafka"), "not a directory");
        Map<String, String> settings = Map.of("herald.data.dir", dataDir.toString(), "herald.db.url", "",
                "herald.kafka.brokers", "");
        assertThatThrownBy(() -> TestHub.startWith(settings).close()).hasStackTraceContaining("kafka");
        assertThat(dataDir.resolve("postgres/PG_VERSION")).as("PostgreSQL started beside Kafka").exists();
        assertThat(dataDir.resolve("postgres/postmaster.pid")).as("and was stopped").doesNotExist();
    }

    /** And the other way round: PostgreSQL's start fails (its data directory is a file); the Kafka started beside it stops. */
    @Test
    void aFailedPostgresStartStopsTheKafkaStartedBesideIt(@TempDir Path dataDir) throws Exception {
        Files.writeString(dataDir.resolve("postgres"), "not a directory");
        int kafkaPort = TestHub.freePort();
        Map<String, String> settings = Map.of("herald.data.dir", dataDir.toString(), "herald.db.url", "",
                "herald.kafka.brokers", "", "herald.kafka.embedded-port", String.valueOf(kafkaPort));
        assertThatThrownBy(() -> TestHub.startWith(settings).close()).hasStackTraceContaining("postgres");
        assertThat(dataDir.resolve("kafka/meta.properties")).as("Kafka started beside PostgreSQL").exists();
        try (ServerSocket free = new ServerSocket(kafkaPort, 1, InetAddress.getLoopbackAddress())) {
            assertThat(free.getLocalPort()).as("and was stopped: its port is free").isEqualTo(kafkaPort);
        }
    }
}
