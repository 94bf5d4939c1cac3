package dev.herald.settings;

/** Event sourcing (states at a past time folded from the event store): settings declared once (README's table is generated from them). */
public final class EventSourcing {

    static final Group GROUP = new Group("Event sourcing");

    public static final Setting<Integer> SNAPSHOT_EVERY = GROUP.add(Setting.of(
            "herald.eventsourcing.snapshot-every", Kind.count(0), "100",
            "versions between the snapshots an `?as_of=` read keeps of an aggregate's state (the default fold's; a read "
            + "folds from the newest one at or before its time instead of from version 1); 0: none are taken or read"));

    private EventSourcing() {
    }
}
