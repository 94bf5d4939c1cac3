package dev.herald.query;

import dev.herald.http.HeraldStep;
import dev.herald.http.Problem;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Map;
import org.apache.camel.Component;
import org.apache.camel.Exchange;

/**
 * {@code herald:parameters?times=..&versions=..&ascending=..}: checks a read's query parameters before its SQL sees
 * them, after {@code process: queryParameters}, and gives each its type there. A bad value is a 400 problem
 * ({@code invalid-parameter}) naming the parameter, where PostgreSQL would take "yesterday" for a time or answer a
 * bad cast without saying which parameter it was. A parameter left out stays NULL.
 * <ul>
 * <li>{@code times}: RFC 3339 date-times ({@code 2026-12-06T10:15:30.5Z}, offset required), bound as timestamptz.
 * <li>{@code versions}: aggregate versions, whole numbers from 0, bound as int.
 * <li>{@code ascending}: these parameters, where given, must not decrease in this order
 * ({@code from_version,to_version}).
 * </ul>
 */
public final class ParametersEndpoint extends HeraldStep {

    /** RFC 3339 section 5.6: seconds required, fraction optional, "Z" or a numeric offset; T and Z in any case. */
    static final DateTimeFormatter RFC_3339 = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral('T')
            .appendPattern("HH:mm:ss").optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
            .optionalEnd().appendOffset("+HH:MM", "Z").toFormatter();

    private List<String> times = List.of();
    private List<String> versions = List.of();
    private List<String> ascending = List.of();

    public ParametersEndpoint(String uri, Component component) {
        super(uri, component, "parameters");
    }

    @Override
    protected void apply(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = exchange.getIn().getBody(Map.class);
        if (parameters == null) {
            throw new IllegalStateException("herald:parameters follows process: queryParameters");
        }
        for (String name : times) {
            given(parameters, name).ifPresent(text -> parameters.put(name, time(name, text)));
        }
        for (String name : versions) {
            given(parameters, name).ifPresent(text -> parameters.put(name, version(name, text)));
        }
        Comparable<Object> previous = null;
        String previousName = null;
        for (String name : ascending) {
            @SuppressWarnings("unchecked")
            Comparable<Object> value = (Comparable<Object>) parameters.get(name);
            if (value == null) {
                continue;
            }
            if (previous != null && previous.compareTo(value) > 0) {
                throw invalid(name, name + " must not be less than " + previousName);
            }
            previous = value;
            previousName = name;
        }
    }

    private static java.util.Optional<String> given(Map<String, Object> parameters, String name) {
        Object value = parameters.get(name);
        return value == null ? java.util.Optional.empty() : java.util.Optional.of(value.toString());
    }

    static OffsetDateTime time(String name, String text) {
        try {
            return OffsetDateTime.parse(text, RFC_3339);
        } catch (DateTimeParseException e) {
            throw invalid(name, name + " is not an RFC 3339 date-time with an offset (2026-12-06T10:15:30Z): "
                    + quoted(text));
        }
    }

    static Integer version(String name, String text) {
        try {
            int version = Integer.parseInt(text);
            if (version >= 0) {
                return version;
            }
        } catch (NumberFormatException e) {
            // below: the same problem as a negative one
        }
        throw invalid(name, name + " is not a version (a whole number from 0): " + quoted(text));
    }

    private static Problem invalid(String name, String detail) {
        return Problem.badRequest("invalid-parameter", detail).with("parameter", name);
    }

    private static String quoted(String text) {
        String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        return "\"" + shown + "\"";
    }

    public void setTimes(String names) {
        this.times = names(names);
    }

    public void setVersions(String names) {
        this.versions = names(names);
    }

    public void setAscending(String names) {
        this.ascending = names(names);
    }

    private static List<String> names(String list) {
        return List.of(list.trim().split("\\s*,\\s*"));
    }
}
