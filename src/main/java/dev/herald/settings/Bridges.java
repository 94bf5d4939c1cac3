package dev.herald.settings;

/** Bridges: settings declared once (README's table is generated from them). */
public final class Bridges {

    static final Group GROUP = new Group("Bridges");

    public static final Setting<String> EXCLUDE_TOPICS = GROUP.add(Setting.of(
            "herald.bridges.exclude-topics", Kind.text(), "",
            "topics (comma-separated) neither bridge consumes although a command declares them; a new command's "
            + "topic is bridged unless listed here"));

    private Bridges() {
    }
}
