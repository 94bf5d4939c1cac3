package dev.herald.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a type's schema versions may evolve, in the vocabulary of Confluent's schema registry (checked against the
 * previous version, not transitively). A reader with one version must accept all data a writer with the other can
 * produce: {@code backward}: the new version reads data written with the old one (consumers upgrade first);
 * {@code forward}: the old version reads data written with the new one (producers upgrade first); {@code full}:
 * both; {@code none}: anything goes.
 */
public enum Compatibility {
    BACKWARD, FORWARD, FULL, NONE;

    /** The mode as written in a type's {@code compatibility} file. */
    public static Compatibility parse(String text) {
        for (Compatibility mode : values()) {
            if (mode.label().equals(text.strip())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("compatibility must be backward, forward, full or none, not '"
                + text.strip() + "'");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** What keeps {@code newer} (version {@code newVersion}) from following {@code older} under this mode. */
    public List<Incompatibility> check(JsonNode older, int oldVersion, JsonNode newer, int newVersion) {
        List<Incompatibility> found = new ArrayList<>();
        if (this == BACKWARD || this == FULL) {
            found.addAll(ReaderCheck.of(older, "v" + oldVersion, newer, "v" + newVersion));
        }
        if (this == FORWARD || this == FULL) {
            found.addAll(ReaderCheck.of(newer, "v" + newVersion, older, "v" + oldVersion));
        }
        return found;
    }
}
