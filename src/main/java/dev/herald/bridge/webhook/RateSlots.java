package dev.herald.bridge.webhook;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** An endpoint's rate_limit, requests per second: each send takes the next free slot of its endpoint. */
final class RateSlots {

    private final Map<UUID, AtomicLong> nextSlot = new ConcurrentHashMap<>();

    /** How long the send waits for its slot (0: at once, or the endpoint has no limit). */
    long delayNanos(Endpoint endpoint) {
        if (endpoint.rateLimit() == null || endpoint.rateLimit() <= 0) {
            return 0;
        }
        long interval = 1_000_000_000L / endpoint.rateLimit();
        long now = System.nanoTime();
        long slot = nextSlot.computeIfAbsent(endpoint.id(), id -> new AtomicLong(now))
                .getAndAccumulate(now, (previous, current) -> Math.max(previous, current) + interval);
        return Math.max(0, slot - now);
    }
}
