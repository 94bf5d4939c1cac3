package dev.herald.settings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Reads the declared settings ({@link Catalog}) through Camel's properties: a test's overrides, -D, HERALD_*
 * environment variables, the working directory's application.properties, the shipped one. Each value is read as
 * its {@link Kind}; one that is not fails with the setting, the text, where it came from and the rule.
 */
public record Settings(PropertiesComponent properties) {

    public <T> T get(Setting<T> setting) {
        return setting.read(text(setting.key()), sourceOf(setting.key()));
    }

    /**
     * A secret: the setting itself, or the content of the file its {@code <key>-file} setting names (as Docker
     * and Kubernetes mount secrets), trailing line breaks stripped. Both set is an error: which one would win
     * is a guess an operator should not have to make.
     */
    public <T> T secret(Setting<T> setting) {
        String value = text(setting.key());
        String file = text(setting.fileKey());
        if (file.isEmpty()) {
            return setting.read(value, sourceOf(setting.key()));
        }
        if (!value.isEmpty()) {
            throw new IllegalStateException("both " + setting.key() + " and " + setting.fileKey() + " are set ("
                    + setting.envName() + ", " + envName(setting.fileKey()) + "); set only one");
        }
        try {
            String content = Files.readString(Path.of(file), StandardCharsets.UTF_8).replaceFirst("[\\r\\n]+$", "");
            return setting.read(content, "the file " + file);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalStateException) {
                throw (IllegalStateException) e;
            }
            throw new IllegalStateException(setting.fileKey() + " names " + file + ", which cannot be read: " + e, e);
        }
    }

    /** Reads every declared setting once, so a bad value stops the start naming it (not the first request). */
    public void checkAll() {
        for (Setting<?> setting : Catalog.all()) {
            if (setting.secret()) {
                secret(setting);
            } else {
                get(setting);
            }
        }
    }

    /** A key's text, placeholders resolved, stripped; empty when not given. */
    private String text(String key) {
        return properties.resolveProperty(key).map(String::strip).orElse("");
    }

    /**
     * Where a key's value comes from, for an error message; the first that holds it wins, in Camel's order: -D, the
     * environment, then overrides (Herald's own, tests'), then application.properties.
     */
    private String sourceOf(String key) {
        if (System.getProperty(key) != null) {
            return "-D" + key;
        }
        if (System.getenv(envName(key)) != null) {
            return envName(key);
        }
        if (properties instanceof org.apache.camel.component.properties.PropertiesComponent camel
                && camel.getOverrideProperties() != null && camel.getOverrideProperties().getProperty(key) != null) {
            return "overrides";
        }
        return "application.properties";
    }

    /** A URL fit for a log: user and password (userinfo, password= parameters) masked. */
    public static String withoutCredentials(String url) {
        return url.replaceAll("//[^/@?#]*@", "//***@").replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /** herald.db.password-file -> HERALD_DB_PASSWORD_FILE */
    public static String envName(String key) {
        return key.toUpperCase().replace('.', '_').replace('-', '_');
    }
}
