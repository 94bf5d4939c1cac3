package dev.herald.settings;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * What a setting's text must be, and the value it reads as. A text that is not that fails the start with
 * {@link #expected}, so the operator reads the rule, not a NumberFormatException from deep in a component.
 *
 * @param expected the rule in words, e.g. "a whole number >= 1"
 * @param parse    text (stripped, placeholders resolved) to value; throws IllegalArgumentException when invalid
 */
public record Kind<T>(String expected, Function<String, T> parse) {

    /** Any text, empty included. */
    public static Kind<String> text() {
        return new Kind<>("any text", text -> text);
    }

    /** Text that must not be empty. */
    public static Kind<String> required() {
        return new Kind<>("a value (it may not be empty)", text -> {
            check(!text.isEmpty());
            return text;
        });
    }

    /** Empty, or text that starts with one of the prefixes (a URL's scheme). */
    public static Kind<String> url(String... schemes) {
        return new Kind<>("empty or a URL starting with " + String.join(" or ", schemes), text -> {
            check(text.isEmpty() || Arrays.stream(schemes).anyMatch(text::startsWith));
            return text;
        });
    }

    public static Kind<String> oneOf(String... values) {
        Set<String> allowed = Set.of(values);
        return new Kind<>("one of " + String.join(", ", values), text -> {
            check(allowed.contains(text));
            return text;
        });
    }

    public static Kind<Boolean> flag() {
        return new Kind<>("true or false", text -> {
            check(text.equals("true") || text.equals("false"));
            return Boolean.parseBoolean(text);
        });
    }

    /** A whole number of at least {@code min}. */
    public static Kind<Integer> count(int min) {
        return new Kind<>("a whole number >= " + min, text -> {
            int value = Integer.parseInt(text);
            check(value >= min);
            return value;
        });
    }

    /** A whole number of at least {@code min}, for sizes and counts beyond an int. */
    public static Kind<Long> size(long min) {
        return new Kind<>("a whole number >= " + min, text -> {
            long value = Long.parseLong(text);
            check(value >= min);
            return value;
        });
    }

    /** Milliseconds, a whole number >= 0. */
    public static Kind<Duration> millis() {
        return new Kind<>("milliseconds, a whole number >= 0", text -> {
            long value = Long.parseLong(text);
            check(value >= 0);
            return Duration.ofMillis(value);
        });
    }

    /** A decimal number between min and max, both included. */
    public static Kind<Double> decimal(double min, double max) {
        return new Kind<>("a number from " + min + " to " + max, text -> {
            double value = Double.parseDouble(text);
            check(value >= min && value <= max);
            return value;
        });
    }

    /** Comma-separated items, blanks dropped. */
    public static Kind<List<String>> list() {
        return new Kind<>("a comma-separated list", Kind::commaSeparated);
    }

    /** Comma-separated milliseconds, at least one. */
    public static Kind<List<Duration>> millisList() {
        Kind<Duration> each = millis();
        return new Kind<>("comma-separated milliseconds, at least one", text -> {
            List<Duration> values = commaSeparated(text).stream().map(each.parse()).toList();
            check(!values.isEmpty());
            return values;
        });
    }

    /** A listening port: empty (the engine's conventional one when free), 0 (any free one) or 1-65535. */
    public static Kind<String> port() {
        return new Kind<>("empty, 0 or a port number up to 65535", text -> {
            if (!text.isEmpty()) {
                int port = Integer.parseInt(text);
                check(port >= 0 && port <= 65_535);
            }
            return text;
        });
    }

    /** "a, b,,c " -> [a, b, c]: how every list setting and list option is read (blanks dropped, order kept). */
    public static List<String> commaSeparated(String text) {
        return text == null ? List.of()
                : Arrays.stream(text.split(",")).map(String::strip).filter(item -> !item.isEmpty()).toList();
    }

    private static void check(boolean valid) {
        if (!valid) {
            throw new IllegalArgumentException();
        }
    }
}
