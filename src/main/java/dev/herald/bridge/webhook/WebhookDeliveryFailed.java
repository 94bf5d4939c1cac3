package dev.herald.bridge.webhook;

import java.util.UUID;

/** The reason a dead letter of stage webhook gives: the endpoint and the last answer (or error). */
public final class WebhookDeliveryFailed extends RuntimeException {

    public WebhookDeliveryFailed(UUID endpoint, String lastAnswer) {
        super("endpoint " + endpoint + ": " + lastAnswer);
    }
}
