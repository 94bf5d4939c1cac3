package dev.herald.event;

import dev.herald.settings.Kind;
import java.util.Arrays;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Event type patterns in settings: a comma-separated list where {@code *} matches any characters. */
public final class EventTypes {

    private EventTypes() {
    }

    /** {@code "order.*, customer.deleted"}: matches order.created and customer.deleted; blank matches nothing. */
    public static Predicate<String> matching(String patterns) {
        Pattern[] compiled = Kind.commaSeparated(patterns).stream()
                .map(p -> Pattern.compile(Arrays.stream(p.split("\\*", -1)).map(Pattern::quote)
                        .reduce((a, b) -> a + ".*" + b).orElse("")))
                .toArray(Pattern[]::new);
        return type -> Arrays.stream(compiled).anyMatch(pattern -> pattern.matcher(type).matches());
    }
}
