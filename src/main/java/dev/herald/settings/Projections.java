package dev.herald.settings;

import java.time.Duration;

/** Projections (read models fed from the event store): settings declared once (README's table is generated from them). */
public final class Projections {

    static final Group GROUP = new Group("Projections");

    public static final Setting<Duration> INTERVAL = GROUP.add(Setting.of(
            "herald.projections.interval", Kind.millis(), "200",
            "ms between a caught-up projection's looks for new events (it polls; a backlog is read without pause)"));

    public static final Setting<Integer> BATCH_SIZE = GROUP.add(Setting.of(
            "herald.projections.batch-size", Kind.count(1), "500",
            "events a projection applies in one transaction (with its position)"));

    public static final Setting<Duration> MAX_BACKOFF = GROUP.add(Setting.of(
            "herald.projections.max-backoff", Kind.millis(), "10000",
            "longest wait, in ms, between a projection's tries while the database is unreachable (doubling from the "
            + "interval)"));

    private Projections() {
    }
}
