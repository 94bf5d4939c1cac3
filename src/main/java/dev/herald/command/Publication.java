package dev.herald.command;

import java.util.Locale;

/** Where a command's event is: in Kafka, or waiting in the outbox for the relay. The HTTP edge maps it to 201/202. */
public enum Publication {
    PUBLISHED, PENDING;

    /** As the API and the metrics name it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
