package dev.herald.settings;

/** Sinks of your own: settings declared once (README's table is generated from them). */
public final class Sinks {

    static final Group GROUP = new Group("Sinks of your own");

    public static final Setting<Integer> MAX_REDELIVERIES = GROUP.add(Setting.of(
            "herald.sinks.max-redeliveries", Kind.count(0), "5",
            "retries of an event a sink route failed on, its partition waiting, before it is dead-lettered (stage"
            + " `sink:<route id>`) ([docs/sinks.md](docs/sinks.md))"));

    public static final Setting<Integer> INITIAL_BACKOFF = GROUP.add(Setting.of(
            "herald.sinks.initial-backoff", Kind.count(0), "500",
            "first retry delay of a sink in ms, doubling"));

    public static final Setting<Integer> MAX_BACKOFF = GROUP.add(Setting.of(
            "herald.sinks.max-backoff", Kind.count(0), "10000",
            "longest retry delay of a sink in ms"));

    public static final Setting<Boolean> ARCHIVE_ENABLED = GROUP.add(Setting.of(
            "herald.sinks.archive.enabled", Kind.flag(), "false",
            "run the example sink: every event appended to an archive file"));

    public static final Setting<String> ARCHIVE_DIR = GROUP.add(Setting.of(
            "herald.sinks.archive.dir", Kind.required(), "data/archive",
            "directory of the archive, one JSON-lines file per topic (`<topic>.jsonl`)"));

    public static final Setting<String> ARCHIVE_GROUP = GROUP.add(Setting.of(
            "herald.sinks.archive.group", Kind.required(), "herald-archive",
            "the archive's Kafka consumer group"));

    private Sinks() {
    }
}
