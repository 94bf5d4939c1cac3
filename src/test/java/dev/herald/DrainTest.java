package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubProcess;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A rolling restart's view of one instance: at SIGTERM readiness fails first (503 DRAINING) while liveness stays
 * up and commands are still taken for herald.shutdown.drain-period; then the hub stops in order and exits 0.
 */
class DrainTest {

    @Test
    void sigtermFailsReadinessFirstKeepsTakingCommandsThenExitsCleanly() throws Exception {
        Path dir = Files.createTempDirectory("herald-drain-test");
        Map<String, String> settings = Map.of("herald.data.dir", dir.resolve("data").toString(),
                "herald.embedded.durable", "false", "herald.shutdown.drain-period", "20000");
        HubProcess hub = HubProcess.start(settings, TestHub.freePort(), dir.resolve("hub.log"));
        try {
            assertThat(hub.http.get("/observe/health").body()).contains("\"UP\"");
            hub.signalTerm();
            await().atMost(Duration.ofSeconds(15)).until(() -> hub.http.get("/observe/health").status() == 503);
            assertThat(hub.http.get("/observe/health").body()).contains("DRAINING");
            assertThat(hub.http.get("/observe/live").status()).isEqualTo(200);
            Response created = hub.http.post("/api/customers",
                    "{\"full_name\":\"Late Arrival\",\"email\":\"late@example.com\"}");
            assertThat(created.status()).as("taken while draining: " + created).isEqualTo(201);
            assertThat(hub.exitStatus(Duration.ofSeconds(60))).as("exit status").isZero();
        } finally {
            hub.kill();
        }
        assertThat(Files.readString(dir.resolve("hub.log"))).contains("Herald draining").contains("Herald stopped in");
    }
}
