package dev.herald.publish;

import dev.herald.store.EventStore.OutgoingEvent;
import java.util.List;

/** Kafka did not take a batch; {@code refused} are the events it rejected for good (too large, not allowed). */
public final class PublishException extends Exception {

    private final transient List<OutgoingEvent> refused;

    PublishException(Throwable cause, List<OutgoingEvent> refused) {
        super(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        this.refused = refused;
    }

    public List<OutgoingEvent> refused() {
        return refused;
    }
}
