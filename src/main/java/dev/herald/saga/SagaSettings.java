package dev.herald.saga;

import java.time.Duration;

/**
 * How sagas run (herald.sagas.*, docs/sagas.md); {@code instance}: this hub's id, on the sagas it holds;
 * {@code maxRunning}: how many sagas of one type have a call in flight at once, across instances, unless the saga
 * declares its own (herald:saga:&lt;type&gt;?maxRunning=).
 */
public record SagaSettings(Duration interval, Duration stepDeadline, Duration retryBackoff, Duration maxBackoff,
        Duration lease, int maxRunning, String instance) {

    /**
     * A lease shorter than a call could take would let another instance make the same call while the first still
     * waits for its answer: refused at start. {@code callTimeout} bounds the connect and, again, the answer.
     */
    public void checkLease(Duration callTimeout) {
        if (lease.compareTo(callTimeout.multipliedBy(2)) <= 0) {
            throw new IllegalArgumentException("herald.sagas.lease (" + lease.toMillis() + " ms) must be longer than "
                    + "twice herald.sagas.call-timeout (" + callTimeout.toMillis() + " ms): a call may take that long");
        }
    }

    /** Wait before the next attempt after {@code attempts} failed ones: doubling from retryBackoff, capped. */
    Duration backoff(int attempts) {
        Duration wait = retryBackoff;
        for (int i = 1; i < attempts && wait.compareTo(maxBackoff) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }
}
