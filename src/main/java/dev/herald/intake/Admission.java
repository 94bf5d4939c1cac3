package dev.herald.intake;

/** Whether the hub takes another command now (load shedding); refuses by throwing a 503 problem. */
@FunctionalInterface
public interface Admission {

    void admit();
}
