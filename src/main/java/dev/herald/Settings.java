package dev.herald;

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

    public String require(String key) {
        String value = get(key);
        if (value.isEmpty()) {
            throw new IllegalStateException("setting " + key + " is required (application.properties or "
                    + key.toUpperCase().replace('.', '_').replace('-', '_') + ")");
        }
        return value;
    }
}
