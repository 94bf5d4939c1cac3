package dev.herald.settings;

import java.time.Duration;

/** RabbitMQ bridge: settings declared once (README's table is generated from them). */
public final class RabbitMq {

    static final Group GROUP = new Group("RabbitMQ bridge");

    public static final Setting<Boolean> ENABLED = GROUP.add(Setting.of(
            "herald.rabbitmq.enabled", Kind.flag(), "true",
            "run the RabbitMQ bridge ([docs/rabbitmq.md](docs/rabbitmq.md))"));

    public static final Setting<String> CONSUMERS_FILE = GROUP.add(Setting.of(
            "herald.rabbitmq.consumers-file", Kind.required(), "bridges/rabbitmq.yaml",
            "the bridge's consumers (queue, bindings, format) and legacy event names"));

    public static final Setting<String> EXCHANGE = GROUP.add(Setting.of(
            "herald.rabbitmq.exchange", Kind.required(), "herald.events",
            "topic exchange of CloudEvents messages (routing key = event type)"));

    public static final Setting<String> LEGACY_EXCHANGE = GROUP.add(Setting.of(
            "herald.rabbitmq.legacy-exchange", Kind.required(), "herald.events.legacy",
            "topic exchange of legacy-envelope messages"));

    public static final Setting<String> DEAD_LETTER_EXCHANGE = GROUP.add(Setting.of(
            "herald.rabbitmq.dead-letter-exchange", Kind.required(), "herald.events.dlx",
            "where consumer queues dead-letter to (`<queue>.dlq`)"));

    public static final Setting<String> TOPICS = GROUP.add(Setting.of(
            "herald.rabbitmq.topics", Kind.text(), "",
            "Kafka topics the bridge forwards; set, exactly these (`herald.bridges.exclude-topics` no longer "
            + "applies)")
            .shown("*(empty: every declared command's topic)*"));

    public static final Setting<String> CONSUMER_GROUP = GROUP.add(Setting.of(
            "herald.rabbitmq.group", Kind.required(), "herald-rabbitmq",
            "the bridge's Kafka consumer group (shared by instances)"));

    public static final Setting<Integer> THREADS = GROUP.add(Setting.of(
            "herald.rabbitmq.threads", Kind.count(1), "2",
            "bridge consumer threads; each owns whole partitions, so aggregates stay in order"));

    public static final Setting<Integer> MAX_POLL_RECORDS = GROUP.add(Setting.of(
            "herald.rabbitmq.max-poll-records", Kind.count(1), "500",
            "records per Kafka poll"));

    public static final Setting<Boolean> BATCHED_CONFIRMS = GROUP.add(Setting.of(
            "herald.rabbitmq.batched-confirms", Kind.flag(), "true",
            "publish each partition's share of a poll at once and wait once for all its confirms; false: wait for "
            + "each message's confirm before the next"));

    public static final Setting<Integer> BATCH_LINGER = GROUP.add(Setting.of(
            "herald.rabbitmq.batch-linger", Kind.count(1), "50",
            "longest ms an event read from Kafka waits for the next ones, to be published and confirmed with them"));

    public static final Setting<Integer> CONFIRM_TIMEOUT = GROUP.add(Setting.of(
            "herald.rabbitmq.confirm-timeout", Kind.count(1), "5000",
            "ms to wait for RabbitMQ's confirms of one message, or of a partition's batch"));

    public static final Setting<Integer> INITIAL_BACKOFF = GROUP.add(Setting.of(
            "herald.rabbitmq.initial-backoff", Kind.count(0), "200",
            "first retry delay in ms while RabbitMQ is down or refusing, doubling"));

    public static final Setting<Integer> MAX_BACKOFF = GROUP.add(Setting.of(
            "herald.rabbitmq.max-backoff", Kind.count(0), "10000",
            "longest retry delay in ms (retries never stop)"));

    public static final Setting<Integer> MAX_MESSAGE_SIZE = GROUP.add(Setting.of(
            "herald.rabbitmq.max-message-size", Kind.count(1), "16777216",
            "larger messages are dead-lettered; match RabbitMQ's `max_message_size`"));

    public static final Setting<Integer> LAG_INTERVAL = GROUP.add(Setting.of(
            "herald.rabbitmq.lag-interval", Kind.count(1), "5000",
            "ms between measurements of the lag and queue-depth gauges"));

    public static final Setting<Duration> DELIVERY_LOG_RETENTION = GROUP.add(Setting.of(
            "herald.rabbitmq.delivery-log-retention", Kind.millis(), "604800000",
            "ms the look-up (`GET /api/lookup/{id}`) keeps each delivery the broker confirmed (one row per exchange "
            + "and partition's batch); 0: none recorded, and those recorded are deleted")
            .shown("`604800000` *(7 days)*"));

    private RabbitMq() {
    }
}
