package dev.herald.bridge.webhook;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a failed delivery is tried again: entry n of the schedule is the wait before attempt n+1 (entry 0,
 * usually 0, is the first attempt), spread by +/- jitter so endpoints coming back are not hit all at once.
 */
record RetrySchedule(List<Duration> delays, double jitter, Duration maxRetryAfter) {

    int maxAttempts() {
        return delays.size();
    }

    /** The wait after {@code attempts} failed attempts, or null when they are spent. */
    Duration after(int attempts, Duration retryAfter) {
        if (attempts >= delays.size()) {
            return null;
        }
        if (retryAfter != null) {
            return retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
        }
        long base = delays.get(attempts).toMillis();
        double spread = jitter <= 0 ? 0 : ThreadLocalRandom.current().nextDouble(-jitter, jitter);
        return Duration.ofMillis(Math.max(0, Math.round(base * (1 + spread))));
    }
}
