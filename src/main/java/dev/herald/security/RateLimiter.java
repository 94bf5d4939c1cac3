package dev.herald.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * Requests per second per client (an API key, or an address while the API is open), as token buckets (a
 * burst of one second's worth, refilled continuously), so one client cannot take the capacity every other
 * client shares. 0 turns it off. Buckets are bounded in number: one idle long enough to be full again is the
 * same as none, so forgetting it changes nothing, and a flood of new clients cannot exhaust memory.
 */
final class RateLimiter {

    private static final int MOST_CLIENTS_TRACKED = 100_000;

    private final double perSecond;
    private final Cache<String, Bucket> buckets;

    RateLimiter(double perSecond) {
        this.perSecond = perSecond;
        double burst = Math.max(1, perSecond);
        Duration refill = Duration.ofNanos((long) Math.ceil(burst / Math.max(perSecond, 1e-9) * 1e9));
        this.buckets = Caffeine.newBuilder().maximumSize(MOST_CLIENTS_TRACKED)
                .expireAfterAccess(refill.plusSeconds(1)).build();
    }

    /** 0 if the request may go now, else the whole seconds until it may (for Retry-After). */
    long secondsToWait(String client) {
        if (perSecond <= 0) {
            return 0;
        }
        return buckets.get(client, k -> new Bucket()).take();
    }

    private final class Bucket {
        private double tokens = Math.max(1, perSecond);
        private long refilledAt = System.nanoTime();

        synchronized long take() {
            long now = System.nanoTime();
            tokens = Math.min(Math.max(1, perSecond), tokens + (now - refilledAt) / 1e9 * perSecond);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / perSecond);
        }
    }
}
