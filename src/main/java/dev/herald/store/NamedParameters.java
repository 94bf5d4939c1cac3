package dev.herald.store;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * camel-sql's named parameters in a statement: {@code :#name} as written in a route, {@code :?name} as the endpoint
 * keeps it once its {@code #} placeholder is replaced; also {@code :#in:names} (IN lists) and {@code :#${...}}
 * (expressions). One reading for every place that needs one (parameter counts, parsing once, the start-up check).
 */
public final class NamedParameters {

    private static final Pattern PARAMETER = Pattern.compile(":[#?](in:)?(\\w+|\\$\\{[^}]+})");

    private NamedParameters() {
    }

    /** Whether every parameter is a plain name, so each binds exactly one value. */
    public static boolean plain(String statement) {
        Matcher matcher = PARAMETER.matcher(statement);
        while (matcher.find()) {
            if (matcher.group(1) != null || matcher.group(2).startsWith("$")) {
                return false;
            }
        }
        return true;
    }

    /** How many values the statement binds: one per parameter; -1 with an IN list, whose length varies. */
    public static int count(String statement) {
        Matcher matcher = PARAMETER.matcher(statement);
        int count = 0;
        while (matcher.find()) {
            if (matcher.group(1) != null) {
                return -1;
            }
            count++;
        }
        return count;
    }

    /** The plain names, in order, a repeated one as often as it appears (each is its own placeholder). */
    public static List<String> names(String statement) {
        List<String> names = new ArrayList<>();
        Matcher matcher = PARAMETER.matcher(statement);
        while (matcher.find()) {
            if (matcher.group(1) == null && !matcher.group(2).startsWith("$")) {
                names.add(matcher.group(2));
            }
        }
        return names;
    }
}
