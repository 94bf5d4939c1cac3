package dev.herald.settings;

import java.time.Duration;

/** Publishing: settings declared once (README's table is generated from them). */
public final class Publishing {

    static final Group GROUP = new Group("Publishing");

    public static final Setting<String> MODE = GROUP.add(Setting.of(
            "herald.publish.mode", Kind.oneOf("sync", "outbox", "eager"), "sync",
            "`sync`: answer 201 after Kafka acknowledged, 503 and nothing kept when it did not; `outbox`: answer "
            + "202 once committed, the relay publishes; `eager`: commit, then publish without a Kafka transaction: "
            + "201 once acknowledged, else 202 and the relay publishes (docs/guarantees.md)"));

    public static final Setting<Duration> TIMEOUT = GROUP.add(Setting.of(
            "herald.publish.timeout", Kind.millis(), "5000",
            "ms a command may wait for Kafka before it is refused with 503"));

    public static final Setting<Integer> LANES = GROUP.add(Setting.of(
            "herald.publish.lanes", Kind.count(1), "2",
            "parallel group-commit lanes (aggregates are hashed to lanes)"));

    public static final Setting<Integer> BATCH_SIZE = GROUP.add(Setting.of(
            "herald.publish.batch-size", Kind.count(1), "64",
            "most commands one lane commits in one database + Kafka transaction"));

    public static final Setting<Duration> LINGER = GROUP.add(Setting.of(
            "herald.publish.linger", Kind.millis(), "0",
            "ms a lane waits for more commands before committing a batch"));

    public static final Setting<Integer> QUEUE_CAPACITY = GROUP.add(Setting.of(
            "herald.publish.queue-capacity", Kind.count(1), "1000",
            "commands waiting per lane before new ones get 503"));

    public static final Setting<String> INSTANCE_ID = GROUP.add(Setting.of(
            "herald.instance.id", Kind.required(), "herald",
            "names the Kafka transactional ids; unique per instance sharing a cluster"));

    public static final Setting<Integer> RETRY_AFTER = GROUP.add(Setting.of(
            "herald.publish.retry-after", Kind.count(0), "5",
            "seconds in `Retry-After` on a 503"));

    private Publishing() {
    }
}
