package dev.herald.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The catalog is the one declaration: the shipped application.properties gives each setting its declared default
 * (Camel's placeholders read that file), and the README's table is the catalog rendered. To refresh the README
 * after changing a declaration: {@code mvn test -Dtest=SettingsCatalogTest -Dsettings.readme.write=true}.
 */
class SettingsCatalogTest {

    private static final Path README = Path.of("README.md");
    private static final String TABLE_HEAD = "| setting | default | meaning |\n";

    @Test
    void theShippedFileGivesEveryDeclaredSettingItsDefaultAndNothingElse() throws IOException {
        Properties shipped = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("application.properties"))) {
            shipped.load(in);
        }
        Map<String, String> inFile = new TreeMap<>();
        shipped.stringPropertyNames().stream().filter(key -> key.startsWith("herald."))
                .forEach(key -> inFile.put(key, shipped.getProperty(key).strip()));
        Map<String, String> declared = new TreeMap<>();
        for (Setting<?> setting : Catalog.all()) {
            declared.put(setting.key(), setting.defaultValue());
            if (setting.secret()) {
                declared.put(setting.fileKey(), "");
            }
        }
        // the topics of the shipped commands: a family open to an engineer's own
        inFile.keySet().removeIf(key -> Catalog.FAMILIES.stream().anyMatch(key::startsWith)
                && !declared.containsKey(key));
        assertThat(inFile).isEqualTo(declared);
    }

    @Test
    void everyDefaultIsValidForItsKind() {
        for (Setting<?> setting : Catalog.all()) {
            if (!setting.defaultValue().contains("{{")) {
                setting.read(setting.defaultValue(), "its declaration");
            }
        }
    }

    @Test
    void theReadmeTableIsTheCatalogRendered() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf(TABLE_HEAD);
        int end = readme.indexOf("\n\n", start);
        assertThat(start).as("the README has a settings table").isPositive();
        String rendered = Catalog.table();
        if (Boolean.getBoolean("settings.readme.write")) {
            Files.writeString(README, readme.substring(0, start) + rendered.stripTrailing() + readme.substring(end));
            return;
        }
        assertThat(readme.substring(start, end + 1))
                .as("README.md's settings table (refresh: mvn test -Dtest=SettingsCatalogTest "
                        + "-Dsettings.readme.write=true)")
                .isEqualTo(rendered);
    }

    @Test
    void keysAreUniqueAndUnderHerald() {
        assertThat(Catalog.all()).extracting(Setting::key).doesNotHaveDuplicates()
                .allMatch(key -> key.matches("herald\\.[a-z0-9.-]+"));
    }
}
