package dev.herald.settings;

/** Dead letters: settings declared once (README's table is generated from them). */
public final class DeadLetters {

    static final Group GROUP = new Group("Dead letters");

    public static final Setting<String> TOPIC = GROUP.add(Setting.of(
            "herald.dead-letters.topic", Kind.text(), "herald.dead-letters",
            "Kafka topic every dead letter is copied to, best effort (empty: none)"));

    private DeadLetters() {
    }
}
