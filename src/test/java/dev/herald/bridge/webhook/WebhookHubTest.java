package dev.herald.bridge.webhook;

import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One hub per test class, with the webhook test settings; a class needing others hides {@link #start()}. */
abstract class WebhookHubTest {

    static final Duration PATIENCE = Duration.ofSeconds(30);
    static TestHub hub;

    @BeforeAll
    static void start() {
        hub = WebhookHubs.start(Map.of());
    }

    @AfterAll
    static void stop() {
        hub.close();
    }
}
