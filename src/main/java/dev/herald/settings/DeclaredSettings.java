package dev.herald.settings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The {@code herald.*} keys Herald declares ({@link Catalog}). A setting given under any other name would be
 * silently ignored, so a start with one stops, naming it, where it came from, and the declared name closest to it.
 */
public final class DeclaredSettings {

    /** Environment variables of Herald's own test fixtures, not settings of the hub. */
    private static final String TEST_FIXTURES = "HERALD_TEST_";

    private final Set<String> keys;

    DeclaredSettings(Set<String> keys) {
        this.keys = Set.copyOf(keys);
    }

    public static DeclaredSettings catalog() {
        return new DeclaredSettings(Catalog.keys());
    }

    /**
     * Checks every source of settings: the working directory's application.properties, {@code -D} properties,
     * {@code HERALD_*} environment variables and the overrides a test passes.
     */
    public void checkGiven(Map<String, String> overrides, Properties system, Map<String, String> environment,
            Path workingFile) {
        Map<String, String> given = new LinkedHashMap<>();
        if (Files.isRegularFile(workingFile)) {
            Properties file = new Properties();
            try (InputStream in = Files.newInputStream(workingFile)) {
                file.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            heraldKeys(file).forEach(key -> given.put(key, workingFile.toString()));
        }
        heraldKeys(system).forEach(key -> given.put(key, "-D" + key));
        overrides.keySet().stream().filter(key -> key.startsWith("herald.")).forEach(key -> given.put(key, "overrides"));
        for (Map.Entry<String, String> entry : given.entrySet()) {
            if (!keys.contains(entry.getKey()) && !Catalog.declares(entry.getKey())) {
                throw unknown(entry.getKey(), entry.getValue());
            }
        }
        Set<String> envNames = keys.stream().map(Settings::envName).collect(Collectors.toSet());
        for (String name : new TreeSet<>(environment.keySet())) {
            if (name.startsWith("HERALD_") && !name.startsWith(TEST_FIXTURES) && !envNames.contains(name)
                    && !inFamily(name)) {
                throw unknown(name, "the environment");
            }
        }
    }

    /** HERALD_TOPICS_INVOICES: a family's key, spelt as an environment variable. */
    private static boolean inFamily(String envName) {
        return Catalog.FAMILIES.stream().map(Settings::envName).anyMatch(family -> envName.startsWith(family)
                && envName.length() > family.length());
    }

    private IllegalArgumentException unknown(String name, String source) {
        String closest = keys.stream().min(Comparator.comparingInt(key -> distance(
                key, name.toLowerCase().replace('_', '.')))).orElse("?");
        return new IllegalArgumentException("unknown setting " + name + " (from " + source + "): Herald declares no "
                + "such setting (see the README's settings table); did you mean " + closest + "?");
    }

    private static Set<String> heraldKeys(Properties properties) {
        return properties.stringPropertyNames().stream().filter(key -> key.startsWith("herald."))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Levenshtein distance, for the suggestion. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
