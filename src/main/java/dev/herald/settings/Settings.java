package dev.herald.settings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.spi.PropertiesComponent;

/** Reads herald.* settings through Camel's properties (application.properties, HERALD_* env, -D, overrides). */
public record Settings(PropertiesComponent properties) {

    public String get(String key) {
        return properties.resolveProperty(key).map(String::strip).orElse("");
    }

    public int getInt(String key) {
        return Integer.parseInt(require(key));
    }

    public long getLong(String key) {
        return Long.parseLong(require(key));
    }

    public Duration millis(String key) {
        return Duration.ofMillis(Long.parseLong(require(key)));
    }

    /**
     * A secret: the setting itself, or the content of the file its {@code <key>-file} setting names (as Docker
     * and Kubernetes mount secrets), trailing line breaks stripped. Both set is an error: which one would win
     * is a guess an operator should not have to make.
     */
    public String secret(String key) {
        String value = get(key);
        String file = get(key + "-file");
        if (file.isEmpty()) {
            return value;
        }
        if (!value.isEmpty()) {
            throw new IllegalStateException("both " + key + " and " + key + "-file are set (" + envName(key) + ", "
                    + envName(key + "-file") + "); set only one");
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).replaceFirst("[\\r\\n]+$", "");
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(key + "-file names " + file + ", which cannot be read: " + e, e);
        }
    }

    /** A URL fit for a log: user and password (userinfo, password= parameters) masked. */
    public static String withoutCredentials(String url) {
        return url.replaceAll("//[^/@?#]*@", "//***@").replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    public String require(String key) {
        String value = get(key);
        if (value.isEmpty()) {
            throw new IllegalStateException("setting " + key + " is required (application.properties or "
                    + envName(key) + ")");
        }
        return value;
    }

    /** herald.db.password-file -> HERALD_DB_PASSWORD_FILE */
    public static String envName(String key) {
        return key.toUpperCase().replace('.', '_').replace('-', '_');
    }
}
