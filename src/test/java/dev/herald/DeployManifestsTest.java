package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.settings.Catalog;
import dev.herald.settings.Setting;
import dev.herald.testing.TestHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * deploy/ stays true to the hub it deploys (issue 27 §2): every HERALD_* variable the manifests set is a declared
 * setting, every probe path answers on a running hub, the grace period covers the drain and the stop, every event
 * schema file is mounted where the hub reads it, and the image copies what exists.
 */
class DeployManifestsTest {

    private static final Path MANIFEST = Path.of("deploy/kubernetes/herald.yaml");

    private static Map<String, Object> deployment;
    private static Map<String, Object> container;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        Load load = new Load(LoadSettings.builder().build());
        for (Object document : load.loadAllFromString(Files.readString(MANIFEST))) {
            Map<String, Object> resource = (Map<String, Object>) document;
            if ("Deployment".equals(resource.get("kind"))) {
                deployment = resource;
            }
        }
        assertThat(deployment).as("a Deployment in " + MANIFEST).isNotNull();
        container = ((List<Map<String, Object>>) podSpec().get("containers")).get(0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyHeraldVariableIsADeclaredSetting() {
        Set<String> declared = Catalog.all().stream().map(Setting::envName).collect(Collectors.toSet());
        List<String> set = ((List<Map<String, Object>>) container.get("env")).stream()
                .map(e -> (String) e.get("name")).filter(n -> n.startsWith("HERALD_")).toList();
        assertThat(set).isNotEmpty();
        assertThat(set).as("HERALD_* variables in " + MANIFEST + " that no setting declares").allMatch(declared::contains);
    }

    @Test
    void everyProbePathAnswersOnARunningHub() {
        List<String> paths = Stream.of("startupProbe", "livenessProbe", "readinessProbe").map(this::probePath).toList();
        assertThat(paths).containsExactly("/observe/live", "/observe/live", "/observe/health");
        try (TestHub hub = TestHub.start(Map.of())) {
            for (String path : paths) {
                assertThat(hub.http.get(path).status()).as(path).isEqualTo(200);
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theGracePeriodCoversTheDrainAndTheStop() throws IOException {
        Properties defaults = new Properties();
        try (var in = Files.newBufferedReader(Path.of("application.properties"))) {
            defaults.load(in);
        }
        long stopMs = Long.parseLong(defaults.getProperty("camel.main.shutdown-timeout").strip()) * 1000;
        long drainMs = ((List<Map<String, Object>>) container.get("env")).stream()
                .filter(e -> "HERALD_SHUTDOWN_DRAIN_PERIOD".equals(e.get("name")))
                .mapToLong(e -> Long.parseLong((String) e.get("value"))).findFirst().orElseThrow();
        long graceMs = ((Number) podSpec().get("terminationGracePeriodSeconds")).longValue() * 1000;
        assertThat(graceMs).as("terminationGracePeriodSeconds against drain %d ms + stop %d ms", drainMs, stopMs)
                .isGreaterThan(drainMs + stopMs);
    }

    @Test
    void everyEventSchemaFileIsMountedWhereTheHubReadsIt() throws IOException {
        String manifest = Files.readString(MANIFEST);
        List<String> missing = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("schemas/events"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String type = file.getParent().getFileName().toString();
                String item = "{ key: " + type + "." + file.getFileName() + ", path: events/" + type + "/"
                        + file.getFileName() + " }";
                if (!manifest.contains(item)) {
                    missing.add(item);
                }
            }
        }
        assertThat(missing).as("items of herald-event-schemas missing in " + MANIFEST).isEmpty();
    }

    @Test
    void theImageCopiesWhatExists() throws IOException {
        Matcher copy = Pattern.compile("(?m)^COPY (\\S+) ").matcher(Files.readString(Path.of("deploy/Dockerfile")));
        List<String> sources = new ArrayList<>();
        while (copy.find()) {
            sources.add(copy.group(1));
        }
        assertThat(sources).contains("routes", "schemas", "sql", "bridges", "application.properties");
        sources.stream().filter(s -> !s.startsWith("target/"))
                .forEach(s -> assertThat(Path.of(s)).as("COPY " + s).exists());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> podSpec() {
        Map<String, Object> spec = (Map<String, Object>) deployment.get("spec");
        return (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
    }

    @SuppressWarnings("unchecked")
    private String probePath(String probe) {
        Map<String, Object> httpGet = (Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet");
        return (String) httpGet.get("path");
    }
}
