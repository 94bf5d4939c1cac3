package dev.herald.projection;

import java.time.Duration;

/**
 * How every projection runs: {@code interval} between looks once caught up, {@code batchSize} events per
 * transaction, {@code maxBackoff} the longest wait between tries while the database is unreachable.
 */
public record ProjectionSettings(Duration interval, int batchSize, Duration maxBackoff) {
}
