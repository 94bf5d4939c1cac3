package dev.herald.settings;

/** Logging: settings declared once (README's table is generated from them). */
public final class Logging {

    static final Group GROUP = new Group("Logging");

    public static final Setting<String> FORMAT = GROUP.add(Setting.of(
            "herald.log.format", Kind.oneOf("text", "json"), "text",
            "console log lines: `text` (one readable line, `trace=<id>` on a request's or an event's lines, "
            + "`traces=<ids>` on a batch's) or `json` (one JSON object per line for a log collector: timestamp, "
            + "level, thread, logger, formatted message, MDC with `trace_id` and `trace_ids`, throwable; logback's "
            + "JsonEncoder); docs/operations.md, \"Logs\""));

    private Logging() {
    }
}
