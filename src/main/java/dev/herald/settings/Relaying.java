package dev.herald.settings;

import java.time.Duration;

/** Outbox relay: settings declared once (README's table is generated from them). */
public final class Relaying {

    static final Group GROUP = new Group("Outbox relay");

    public static final Setting<Boolean> ENABLED = GROUP.add(Setting.of(
            "herald.relay.enabled", Kind.flag(), "true",
            "`false`: this instance takes commands but leaves publishing the outbox to other instances"));

    public static final Setting<Integer> INTERVAL = GROUP.add(Setting.of(
            "herald.relay.interval", Kind.count(1), "500",
            "ms between the relay's looks into the outbox"));

    public static final Setting<Integer> BATCH_SIZE = GROUP.add(Setting.of(
            "herald.relay.batch-size", Kind.count(1), "2000",
            "events the relay claims at once"));

    public static final Setting<Duration> LEASE = GROUP.add(Setting.of(
            "herald.relay.lease", Kind.millis(), "60000",
            "ms the relay holds claimed events before another may take them"));

    public static final Setting<Integer> MAX_ATTEMPTS = GROUP.add(Setting.of(
            "herald.relay.max-attempts", Kind.count(1), "8",
            "attempts before an event Kafka refuses for good is dead-lettered (transient failures retry forever)"));

    public static final Setting<Integer> INITIAL_BACKOFF = GROUP.add(Setting.of(
            "herald.relay.initial-backoff", Kind.count(0), "200",
            "first retry delay in ms, doubling each time"));

    public static final Setting<Integer> MAX_BACKOFF = GROUP.add(Setting.of(
            "herald.relay.max-backoff", Kind.count(0), "30000",
            "longest retry delay in ms"));

    public static final Setting<String> STRICT_ORDER_TYPES = GROUP.add(Setting.of(
            "herald.relay.strict-order-types", Kind.text(), "",
            "event types (`order.*, customer.deleted`) whose dead letter holds back the rest of its aggregate "
            + "until resolved"));

    public static final Setting<String> QUEUE = GROUP.add(Setting.of(
            "herald.relay.queue", Kind.required(), "seda:herald-relay?size=1&discardWhenFull=true",
            "wiring, not meant to be changed: the relay's run queue, holding one run so that wake-ups (timer, "
            + "NOTIFY) during a run coalesce into one more"));

    private Relaying() {
    }
}
