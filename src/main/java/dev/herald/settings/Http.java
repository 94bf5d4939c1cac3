package dev.herald.settings;

/** HTTP server: settings declared once (README's table is generated from them). */
public final class Http {

    static final Group GROUP = new Group("HTTP server");

    public static final Setting<String> HOST = GROUP.add(Setting.of(
            "herald.http.host", Kind.required(), "0.0.0.0",
            "address the HTTP server binds"));

    public static final Setting<Integer> PORT = GROUP.add(Setting.of(
            "herald.http.port", Kind.count(1), "8080",
            "HTTP port"));

    public static final Setting<Integer> MAX_BODY_SIZE = GROUP.add(Setting.of(
            "herald.http.max-body-size", Kind.count(1), "1048576",
            "largest request body in bytes; larger gets 413"));

    public static final Setting<Integer> WORKERS = GROUP.add(Setting.of(
            "herald.http.workers", Kind.count(1), "64",
            "requests handled at once; each waits on a worker while its batch commits"));

    public static final Setting<Integer> MAX_IN_FLIGHT = GROUP.add(Setting.of(
            "herald.http.max-in-flight", Kind.count(0), "1000",
            "requests held at once (waiting for a worker or their batch); past it 503 `overloaded` at once (0 = "
            + "no limit; `/observe/*` not counted)"));

    private Http() {
    }
}
