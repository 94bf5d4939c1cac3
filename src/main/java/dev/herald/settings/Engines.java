package dev.herald.settings;

import java.time.Duration;

/** Engines (a URL left empty runs that engine embedded): settings declared once (README's table is generated from them). */
public final class Engines {

    static final Group GROUP = new Group("Engines (a URL left empty runs that engine embedded)");

    public static final Setting<String> DATA_DIR = GROUP.add(Setting.of(
            "herald.data.dir", Kind.required(), "data",
            "where embedded engines keep their data across restarts"));

    public static final Setting<String> DB_URL = GROUP.add(Setting.of(
            "herald.db.url", Kind.url("jdbc:postgresql:"), "",
            "JDBC URL, e.g. `jdbc:postgresql://127.0.0.1:5432/herald`")
            .shown("*(empty: embedded PostgreSQL)*"));

    public static final Setting<String> DB_USER = GROUP.add(Setting.of(
            "herald.db.user", Kind.text(), "postgres",
            "database user"));

    public static final Setting<String> DB_PASSWORD = GROUP.add(Setting.of(
            "herald.db.password", Kind.text(), "",
            "database password (set it through `HERALD_DB_PASSWORD`)").asSecret());

    public static final Setting<Integer> DB_POOL_SIZE = GROUP.add(Setting.of(
            "herald.db.pool-size", Kind.count(1), "10",
            "connection pool size"));

    public static final Setting<String> KAFKA_BROKERS = GROUP.add(Setting.of(
            "herald.kafka.brokers", Kind.text(), "",
            "Kafka bootstrap servers, e.g. `127.0.0.1:9092`")
            .shown("*(empty: embedded Kafka)*"));

    public static final Setting<String> KAFKA_EMBEDDED_PORT = GROUP.add(Setting.of(
            "herald.kafka.embedded-port", Kind.port(), "",
            "port of the embedded broker: empty = 9092 when free, else any free port and a `WARN` naming both; "
            + "`0` = any free port; another number = exactly that port (taken: the start fails naming this setting)")
            .shown("*(empty: 9092 if free)*"));

    public static final Setting<Integer> KAFKA_EMBEDDED_ADVERTISED_PORT = GROUP.add(Setting.of(
            "herald.kafka.embedded-advertised-port", Kind.count(0), "0",
            "port the embedded broker tells clients to use (0 = its own); a fault-injection proxy's port in "
            + "`bench/run --soak`"));

    public static final Setting<Duration> KAFKA_SESSION_TIMEOUT = GROUP.add(Setting.of(
            "herald.kafka.session-timeout", Kind.millis(), "10000",
            "ms after which Kafka gives a silent consumer's partitions to another instance (bridges, sinks, "
            + "reactions): the takeover time after an instance is killed; a stop leaves the group at once"));

    public static final Setting<String> RABBITMQ_URL = GROUP.add(Setting.of(
            "herald.rabbitmq.url", Kind.url("amqp://", "amqps://"), "",
            "AMQP URL of RabbitMQ, e.g. `amqp://user:pass@127.0.0.1:5672/vhost` (set it through "
            + "`HERALD_RABBITMQ_URL`)")
            .shown("*(empty: embedded AMQP broker)*").asSecret());

    public static final Setting<String> RABBITMQ_EMBEDDED_PORT = GROUP.add(Setting.of(
            "herald.rabbitmq.embedded-port", Kind.port(), "",
            "port of the embedded AMQP broker, as `herald.kafka.embedded-port`: empty = 5672 when free, else any "
            + "free port and a `WARN`; `0` = any free port; another number = exactly it or a failed start")
            .shown("*(empty: 5672 if free)*"));

    public static final Setting<Long> RABBITMQ_EMBEDDED_QUEUE_LIMIT = GROUP.add(Setting.of(
            "herald.rabbitmq.embedded-queue-limit", Kind.size(0), "0",
            "most messages each queue of the embedded AMQP broker keeps in memory, dropping the oldest (0 = no "
            + "limit; for long-running trials only)"));

    public static final Setting<Boolean> EMBEDDED_DURABLE = GROUP.add(Setting.of(
            "herald.embedded.durable", Kind.flag(), "true",
            "`true`: the embedded PostgreSQL syncs each commit to disk (fsync, `synchronous_commit`) and the embedded "
            + "Kafka flushes each append before acknowledging it, so nothing answered 201/202 is lost by an OS crash "
            + "or power loss; `false`: both leave flushing to the OS (faster; for tests and trials)"));

    public static final Setting<String> DB_EMBEDDED_PORT = GROUP.add(Setting.of(
            "herald.db.embedded-port", Kind.port(), "",
            "port of the embedded PostgreSQL (`psql -h 127.0.0.1 -p <port> -U postgres`): empty or `0` = any free "
            + "port, named in the start log; another number = exactly that port")
            .shown("*(empty: any free port)*"));

    public static final Setting<Duration> EMBEDDED_START_TIMEOUT = GROUP.add(Setting.of(
            "herald.embedded.start-timeout", Kind.millis(), "120000",
            "ms the embedded PostgreSQL may take to start (crash recovery after a kill included) before the start "
            + "fails"));

    private Engines() {
    }
}
