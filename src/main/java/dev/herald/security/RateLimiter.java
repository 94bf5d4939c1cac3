package dev.herald.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per second per API key, as token buckets (a burst of one second's worth, refilled continuously),
 * so one client cannot take the capacity every other client shares. 0 turns it off.
 */
final class RateLimiter {

    private final double perSecond;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(double perSecond) {
        this.perSecond = perSecond;
    }

    /** 0 if the request may go now, else the whole seconds until it may (for Retry-After). */
    long secondsToWait(String key) {
        if (perSecond <= 0) {
            return 0;
        }
        return buckets.computeIfAbsent(key, k -> new Bucket()).take();
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
