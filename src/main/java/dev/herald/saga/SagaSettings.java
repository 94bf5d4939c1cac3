package dev.herald.saga;

import java.time.Duration;

/** How sagas run (herald.sagas.*, docs/sagas.md); {@code instance}: this hub's id, on the sagas it holds. */
public record SagaSettings(Duration interval, Duration stepDeadline, Duration retryBackoff, Duration maxBackoff,
        Duration lease, String instance) {

    /** Wait before the next attempt after {@code attempts} failed ones: doubling from retryBackoff, capped. */
    Duration backoff(int attempts) {
        Duration wait = retryBackoff;
        for (int i = 1; i < attempts && wait.compareTo(maxBackoff) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }
}
