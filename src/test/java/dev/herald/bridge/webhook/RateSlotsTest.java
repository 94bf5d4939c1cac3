package dev.herald.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** rate_limit: sends to one endpoint are spaced a slot apart; other endpoints and unlimited ones never wait. */
class RateSlotsTest {

    /** Two per second. */
    private static final long SLOT = Duration.ofMillis(500).toNanos();
    /** Generous for a busy machine: the calls below run well within it. */
    private static final long SLACK = Duration.ofMillis(250).toNanos();

    private final RateSlots slots = new RateSlots();

    @Test
    void eachSendTakesTheNextFreeSlotOfItsEndpoint() {
        Endpoint twoPerSecond = endpoint(2);
        slots.delayNanos(endpoint(2)); // the first call links its lambdas: not inside the measured ones
        // taken back to back, asserted after: the first assertion loads classes for longer than a slot
        long[] delays = {slots.delayNanos(twoPerSecond), slots.delayNanos(twoPerSecond),
            slots.delayNanos(twoPerSecond), slots.delayNanos(endpoint(2))};
        assertThat(delays[0]).isZero();
        assertThat(delays[1]).isBetween(SLOT - SLACK, SLOT);
        assertThat(delays[2]).isBetween(2 * SLOT - SLACK, 2 * SLOT);
        assertThat(delays[3]).as("another endpoint has slots of its own").isZero();
    }

    @Test
    void noLimitOrZeroNeverWaits() {
        for (Integer limit : new Integer[] {null, 0, -1}) {
            Endpoint unlimited = endpoint(limit);
            for (int i = 0; i < 3; i++) {
                assertThat(slots.delayNanos(unlimited)).isZero();
            }
        }
    }

    private static Endpoint endpoint(Integer rateLimit) {
        return new Endpoint(UUID.randomUUID(), URI.create("https://receiver.example/hook"), Payloads.STRUCTURED,
                Map.of(), rateLimit, "secret", null, null);
    }
}
