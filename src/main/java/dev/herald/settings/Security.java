package dev.herald.settings;

import java.time.Duration;

/** Access control: settings declared once (README's table is generated from them). */
public final class Security {

    static final Group GROUP = new Group("Access control");

    public static final Setting<String> BOOTSTRAP_KEY = GROUP.add(Setting.of(
            "herald.security.bootstrap-key", Kind.text(), "",
            "an admin API key from the environment (`HERALD_SECURITY_BOOTSTRAP_KEY`), never stored; while no key "
            + "exists the API is open").asSecret());

    public static final Setting<Duration> KEY_CACHE = GROUP.add(Setting.of(
            "herald.security.key-cache", Kind.millis(), "5000",
            "ms a checked key is remembered; a revoked key stops working within this"));

    public static final Setting<Double> RATE_LIMIT = GROUP.add(Setting.of(
            "herald.security.rate-limit", Kind.decimal(0, Double.MAX_VALUE), "0",
            "requests per second one API key may send before `429` with `Retry-After` (0: no limit)"));

    public static final Setting<Double> ANONYMOUS_RATE_LIMIT = GROUP.add(Setting.of(
            "herald.security.anonymous-rate-limit", Kind.decimal(0, Double.MAX_VALUE), "200",
            "while the API is open: requests per second per client IP address before `429` with `Retry-After` (0:"
            + " no limit)"));

    private Security() {
    }
}
