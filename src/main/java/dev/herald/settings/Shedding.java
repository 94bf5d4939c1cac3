package dev.herald.settings;

import java.time.Duration;

/** Load shedding and monitoring: settings declared once (README's table is generated from them). */
public final class Shedding {

    static final Group GROUP = new Group("Load shedding and monitoring");

    public static final Setting<Long> MAX_BACKLOG = GROUP.add(Setting.of(
            "herald.shed.max-backlog", Kind.size(0), "1000000",
            "new commands get 503 `shedding` while this many events wait to be published (0: no limit)"));

    public static final Setting<Duration> BROKER_DOWN_AFTER = GROUP.add(Setting.of(
            "herald.shed.broker-down-after", Kind.millis(), "30000",
            "... or while Kafka has been unreachable this many ms (0: never)"));

    public static final Setting<Duration> OBSERVE_INTERVAL = GROUP.add(Setting.of(
            "herald.observe.interval", Kind.millis(), "1000",
            "ms between measurements of the backlog, its oldest event and open dead letters"));

    private Shedding() {
    }
}
