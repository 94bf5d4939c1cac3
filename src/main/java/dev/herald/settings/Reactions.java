package dev.herald.settings;

/** Reactions to other services' events (docs/reactions.md): settings declared once. */
public final class Reactions {

    static final Group GROUP = new Group("Reactions");

    public static final Setting<String> GROUP_PREFIX = GROUP.add(Setting.of(
            "herald.reactions.group", Kind.required(), "herald-reactions",
            "Kafka consumer groups of the reactions: `<this>.<reaction name>`, shared by instances"
            + " ([docs/reactions.md](docs/reactions.md))"));

    public static final Setting<Integer> INITIAL_BACKOFF = GROUP.add(Setting.of(
            "herald.reactions.initial-backoff", Kind.count(0), "500",
            "first retry delay in ms of an inbound event whose command could not be applied now (database down), or"
            + " that a `block` reaction refused, doubling; its partition waits"));

    public static final Setting<Integer> MAX_BACKOFF = GROUP.add(Setting.of(
            "herald.reactions.max-backoff", Kind.count(0), "30000",
            "longest retry delay of a reaction in ms (transient failures retry forever)"));

    public static final Setting<String> PAYMENTS_TOPIC = GROUP.add(Setting.of(
            "herald.reactions.payments-topic", Kind.text(), "",
            "the payment service's topic the example reaction `payment-failed` reads (`payment.failed` cancels the"
            + " order, reason `payment_failed`); empty: that reaction is off"));

    private Reactions() {
    }
}
