package dev.herald.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A setting under a name Herald does not declare stops the start. */
class DeclaredSettingsTest {

    private final DeclaredSettings declared = DeclaredSettings.catalog();
    private final Path none = Path.of("no-such-dir", "application.properties");

    @Test
    void declaredSettingsFromEverySourcePass() {
        Properties system = new Properties();
        system.setProperty("herald.http.port", "9090");
        declared.checkGiven(Map.of("herald.publish.mode", "outbox"), system,
                Map.of("HERALD_DB_PASSWORD_FILE", "/run/secrets/db", "HERALD_TEST_DB_URL", "jdbc:x", "PATH", "/bin"),
                none);
    }

    @Test
    void aMisspeltSystemPropertyStopsTheStartWithTheClosestName() {
        Properties system = new Properties();
        system.setProperty("herald.htpp.port", "9090");
        assertThatThrownBy(() -> declared.checkGiven(Map.of(), system, Map.of(), none))
                .hasMessageContaining("herald.htpp.port").hasMessageContaining("-D")
                .hasMessageContaining("did you mean herald.http.port");
    }

    @Test
    void aMisspeltEnvironmentVariableStopsTheStart() {
        assertThatThrownBy(() -> declared.checkGiven(Map.of(), new Properties(),
                Map.of("HERALD_PUBLISH_MOD", "outbox"), none))
                .hasMessageContaining("HERALD_PUBLISH_MOD").hasMessageContaining("herald.publish.mode");
    }

    @Test
    void anUnknownKeyInTheWorkingDirectoryFileStopsTheStart(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "herald.http.port = 8081\nherald.relay.batchsize = 10\n");
        assertThatThrownBy(() -> declared.checkGiven(Map.of(), new Properties(), Map.of(), file))
                .hasMessageContaining("herald.relay.batchsize").hasMessageContaining(file.toString())
                .hasMessageContaining("herald.relay.batch-size");
    }

    @Test
    void aTopicOfAnEngineersOwnCommandIsDeclaredByItsFamily() {
        Properties system = new Properties();
        system.setProperty("herald.topics.invoices", "invoices");
        declared.checkGiven(Map.of(), system, Map.of("HERALD_TOPICS_SHIPMENTS", "shipments"), none);
        assertThatThrownBy(() -> declared.checkGiven(Map.of(), new Properties(), Map.of("HERALD_TOPICS_", "x"), none))
                .hasMessageContaining("HERALD_TOPICS_");
    }
}
