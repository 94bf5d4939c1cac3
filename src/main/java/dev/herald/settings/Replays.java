package dev.herald.settings;

import java.time.Duration;

/** Replays (stored events sent again to one consumer): settings declared once (README's table is generated from them). */
public final class Replays {

    static final Group GROUP = new Group("Replays");

    public static final Setting<Integer> PAGE_SIZE = GROUP.add(Setting.of(
            "herald.replays.page-size", Kind.count(1), "500",
            "events a replay hands its target per page (one transaction; its position moves after each page)"));

    public static final Setting<Duration> POLL_INTERVAL = GROUP.add(Setting.of(
            "herald.replays.poll-interval", Kind.millis(), "1000",
            "ms between the replay runner's looks for running replays: those other hubs created, pages that failed, replays "
            + "waiting for an open transaction or an unpublished event (a new replay starts at once on its hub; a "
            + "running one is paged without pause)"));

    private Replays() {
    }
}
