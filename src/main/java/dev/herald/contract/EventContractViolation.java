package dev.herald.contract;

import java.util.List;

/**
 * A command's event data that breaks the schema of its declared version: a bug in the declaration (its SQL or its
 * schema), never the client's. Nothing of the command is kept; the HTTP edge answers 500 event-contract-violation.
 */
public final class EventContractViolation extends RuntimeException {

    /** One failing field: where in the data (JSON Pointer), which keyword, what it said (naming the field). */
    public record Error(String pointer, String keyword, String detail) {
    }

    private final String eventType;
    private final int version;
    private final List<Error> errors;

    public EventContractViolation(String eventType, int version, List<Error> errors) {
        super("the data of event " + eventType + " v" + version + " breaks its schema: " + errors.stream()
                .map(Error::detail).toList(), null, false, false); // each names its field: "/price: string found..."
        this.eventType = eventType;
        this.version = version;
        this.errors = List.copyOf(errors);
    }

    public String eventType() {
        return eventType;
    }

    public int version() {
        return version;
    }

    public List<Error> errors() {
        return errors;
    }
}
