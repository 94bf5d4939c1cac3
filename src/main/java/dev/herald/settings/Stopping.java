package dev.herald.settings;

import java.time.Duration;

/** Stopping: settings declared once (README's table is generated from them). */
public final class Stopping {

    static final Group GROUP = new Group("Stopping");

    public static final Setting<Duration> DRAIN_PERIOD = GROUP.add(Setting.of(
            "herald.shutdown.drain-period", Kind.millis(), "0",
            "ms from SIGTERM to the stop during which `/observe/health` answers 503 `DRAINING` while requests are "
            + "still taken, so a load balancer stops sending before the hub stops accepting (behind Kubernetes: a "
            + "few seconds; 0 = stop at once)"));

    private Stopping() {
    }
}
