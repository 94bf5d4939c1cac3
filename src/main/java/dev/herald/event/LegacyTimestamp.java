package dev.herald.event;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The {@code timestamp} of seed 000's legacy envelope, the same from every bridge: the event's time in UTC, whole
 * seconds, as the seed's example ({@code 2024-12-17T12:34:56Z}); consumers written against it need no fraction.
 */
public final class LegacyTimestamp {

    private LegacyTimestamp() {
    }

    public static String of(Instant time) {
        return DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.SECONDS));
    }

    /** From a CloudEvent's {@code time} attribute (RFC 3339). */
    public static String of(String cloudEventTime) {
        return of(OffsetDateTime.parse(cloudEventTime).toInstant());
    }
}
