package dev.herald.settings;

/** Events: settings declared once (README's table is generated from them). */
public final class Events {

    static final Group GROUP = new Group("Events");

    public static final Setting<String> SOURCE = GROUP.add(Setting.of(
            "herald.events.source", Kind.required(), "/herald",
            "CloudEvents `source` of every event"));

    public static final Setting<String> TOPICS_CUSTOMERS = GROUP.add(Setting.of(
            "herald.topics.customers", Kind.required(), "customers",
            "topic of customer events"));

    public static final Setting<String> TOPICS_ORDERS = GROUP.add(Setting.of(
            "herald.topics.orders", Kind.required(), "orders",
            "topic of order events"));

    private Events() {
    }
}
