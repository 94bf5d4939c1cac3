package dev.herald.cdc;

import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;

/**
 * The {@code exceptionHandler} of a CDC source's consumer. A change fails only when the hub stops while it is being
 * retried (the route retries everything else forever); Camel's Debezium consumer would log that and let Debezium
 * count the change as done, so its offset would move past an event never stored. Thrown back instead, it stops the
 * engine before the change is confirmed, and the next start delivers it again.
 */
public final class ChangeNotConfirmed implements ExceptionHandler {

    @Override
    public void handleException(Throwable exception) {
        handleException("a change was not taken", null, exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        handleException(message, null, exception);
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        throw new IllegalStateException("CDC change not stored, so not confirmed: it is delivered again at the next "
                + "start (" + message + ": " + exception.getMessage() + ")", exception);
    }
}
