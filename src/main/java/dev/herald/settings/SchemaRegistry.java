package dev.herald.settings;

/** Publishing the event schemas to a Confluent-compatible schema registry: settings declared once. */
public final class SchemaRegistry {

    static final Group GROUP = new Group("Confluent schema registry (optional)");

    public static final Setting<String> URL = GROUP.add(Setting.of(
            "herald.schemas.registry-url", Kind.url("http://", "https://"), "",
            "a Confluent-compatible schema registry (`http://registry:8081`): at start and after each accepted schema "
            + "reload every event type's versions are registered there in order, JSON Schema format, with the type's "
            + "compatibility; a registry away is retried in the background, never holding up the hub (docs/events.md)")
            .shown("*(empty: off)*"));

    public static final Setting<String> SUBJECT = GROUP.add(Setting.of(
            "herald.schemas.registry-subject", new Kind<>("text containing <type>", text -> {
                if (!text.contains("<type>")) {
                    throw new IllegalArgumentException();
                }
                return text;
            }), "<type>-value",
            "the registry subject of an event type's schemas, `<type>` standing for the type "
            + "(`customer.created-value`)"));

    public static final Setting<String> USER = GROUP.add(Setting.of(
            "herald.schemas.registry-user", Kind.text(), "",
            "user of HTTP basic authentication at the registry (empty: none)"));

    public static final Setting<String> PASSWORD = GROUP.add(Setting.of(
            "herald.schemas.registry-password", Kind.text(), "",
            "its password").asSecret());

    public static final Setting<Integer> INITIAL_BACKOFF = GROUP.add(Setting.of(
            "herald.schemas.registry-initial-backoff", Kind.count(1), "1000",
            "ms before the first retry of a registry that did not answer or refused for a while, doubling each time"));

    public static final Setting<Integer> MAX_BACKOFF = GROUP.add(Setting.of(
            "herald.schemas.registry-max-backoff", Kind.count(1), "60000",
            "longest wait in ms between retries of the registry"));

    private SchemaRegistry() {
    }
}
