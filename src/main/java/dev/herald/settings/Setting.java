package dev.herald.settings;

/**
 * One {@code herald.*} setting, declared once: its key, what its text must be, its default (the value
 * application.properties ships) and what it means (the README's table is generated from these).
 *
 * @param shownDefault the README's default column where the bare value says too little ("empty: embedded Kafka")
 * @param secret       also read from the file its {@code <key>-file} setting names (as Docker and Kubernetes mount
 *                     secrets); never shipped with a value
 */
public record Setting<T>(String key, Kind<T> kind, String defaultValue, String description, String shownDefault,
        boolean secret) {

    public static <T> Setting<T> of(String key, Kind<T> kind, String defaultValue, String description) {
        return new Setting<>(key, kind, defaultValue, description, "", false);
    }

    /** The same, with the README's default column saying what the default means. */
    public Setting<T> shown(String meaning) {
        return new Setting<>(key, kind, defaultValue, description, meaning, secret);
    }

    /** The same, read also from the file {@code <key>-file} names. */
    public Setting<T> asSecret() {
        return new Setting<>(key, kind, defaultValue, description, shownDefault, true);
    }

    /** herald.db.password -> HERALD_DB_PASSWORD */
    public String envName() {
        return Settings.envName(key);
    }

    public String fileKey() {
        return key + "-file";
    }

    /** The text as a value of its kind; invalid, an error naming this setting, the text, its source and the rule. */
    T read(String text, String source) {
        try {
            return kind.parse().apply(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("setting " + key + " is '" + text + "' (from " + source
                    + "): expected " + kind.expected());
        }
    }
}
