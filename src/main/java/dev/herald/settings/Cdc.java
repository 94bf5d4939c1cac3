package dev.herald.settings;

/** Change data capture from tables Herald does not own (routes/cdc.camel.yaml, docs/cdc.md): settings declared once. */
public final class Cdc {

    static final Group GROUP = new Group("Change data capture");

    public static final Setting<String> DB_URL = GROUP.add(Setting.of(
            "herald.cdc.db-url", Kind.url("jdbc:postgresql:"), "",
            "the PostgreSQL (`wal_level=logical`) whose tables the CDC sources read, e.g."
            + " `jdbc:postgresql://10.0.0.5:5432/legacy`")
            .shown("*(empty: the hub's own database)*"));

    public static final Setting<String> DB_USER = GROUP.add(Setting.of(
            "herald.cdc.db-user", Kind.text(), "",
            "its user, with the REPLICATION attribute (empty: the hub's database user)"));

    public static final Setting<String> DB_PASSWORD = GROUP.add(Setting.of(
            "herald.cdc.db-password", Kind.text(), "",
            "its password (set it through `HERALD_CDC_DB_PASSWORD`; empty with an empty user: the hub's)").asSecret());

    public static final Setting<Long> SLOT_LAG_ALERT = GROUP.add(Setting.of(
            "herald.cdc.slot-lag-alert", Kind.size(1), "1073741824",
            "bytes of WAL a CDC source's replication slot may hold back before the hub logs a warning (each"
            + " reading while over it); the gauge is `herald_cdc_slot_lag_bytes`"));

    public static final Setting<java.time.Duration> SLOT_LAG_INTERVAL = GROUP.add(Setting.of(
            "herald.cdc.slot-lag-interval", Kind.millis(), "15000",
            "how often the slot lag of each declared CDC source is read (ms)"));

    public static final Setting<java.time.Duration> OFFSET_FLUSH_INTERVAL = GROUP.add(Setting.of(
            "herald.cdc.offset-flush-interval", Kind.millis(), "1000",
            "how often a CDC source stores its offset and lets its slot advance (ms); what came after the last"
            + " flush is delivered again after a crash, and recognised"));

    public static final Setting<java.time.Duration> HEARTBEAT_INTERVAL = GROUP.add(Setting.of(
            "herald.cdc.heartbeat-interval", Kind.millis(), "10000",
            "how often a CDC source confirms its place while its tables are quiet (ms), so the slot does not hold"
            + " back the WAL of the database's other writes; 0: never"));

    public static final Setting<Integer> INITIAL_BACKOFF = GROUP.add(Setting.of(
            "herald.cdc.initial-backoff", Kind.count(0), "500",
            "first retry delay in ms of a change that could not be stored now (database or Kafka down, a refusal),"
            + " doubling; its source waits, in order"));

    public static final Setting<Integer> MAX_BACKOFF = GROUP.add(Setting.of(
            "herald.cdc.max-backoff", Kind.count(0), "30000",
            "longest retry delay of a CDC change in ms (retried until stored)"));

    private Cdc() {
    }
}
