package dev.herald.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.testing.Engines;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets given as files (<setting>-file), as Docker and Kubernetes mount them. */
class SecretFilesTest {

    @Test
    void theDatabasePasswordAndTheBootstrapKeyComeFromFiles(@TempDir Path dir) throws Exception {
        String bootstrap = "bootstrap-" + UUID.randomUUID();
        Path keyFile = Files.writeString(dir.resolve("bootstrap-key"), bootstrap + "\n");
        Path passwordFile = Files.writeString(dir.resolve("db-password"), Engines.get().password() + "\n");
        try (TestHub hub = TestHub.start(Map.of("herald.db.password", "",
                "herald.db.password-file", passwordFile.toString(),
                "herald.security.bootstrap-key-file", keyFile.toString()))) {
            assertThat(hub.http.get("/api/keys").status()).isEqualTo(401);
            assertThat(hub.http.get("/api/keys", "Authorization", "Bearer " + bootstrap).status()).isEqualTo(200);
        }
    }

    @Test
    void aSecretSetTwiceOrAnUnreadableFileStopsTheStart(@TempDir Path dir) throws Exception {
        Path keyFile = Files.writeString(dir.resolve("bootstrap-key"), "from-the-file");
        assertThatThrownBy(() -> TestHub.start(Map.of("herald.security.bootstrap-key", "from-the-environment",
                "herald.security.bootstrap-key-file", keyFile.toString())).close()).rootCause()
                .hasMessageContaining("herald.security.bootstrap-key and herald.security.bootstrap-key-file")
                .hasMessageNotContaining("from-the-file").hasMessageNotContaining("from-the-environment");
        Path missing = dir.resolve("no-such-file");
        assertThatThrownBy(() -> TestHub.start(Map.of("herald.db.password", "",
                "herald.db.password-file", missing.toString())).close())
                .hasStackTraceContaining("herald.db.password-file names " + missing + ", which cannot be read");
    }
}
