package dev.herald.bridge.webhook;

import dev.herald.deadletter.DeadLetterStore;
import dev.herald.settings.Settings;
import dev.herald.settings.Sources;
import dev.herald.trace.Traces;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * Installs the webhook bridge (docs/webhooks.md): binds the beans routes/webhooks.camel.yaml calls
 * ({@code webhookEndpoints}, {@code webhookRedeliveries}, {@code webhookFanOut}, {@code webhookDispatcher}) and declares the endpoints of
 * herald.webhooks.endpoints-file, after re-encrypting stored signing secrets not under the current key. The
 * returned resource stops the dispatcher.
 */
public final class WebhookBridge {

    private WebhookBridge() {
    }

    public static AutoCloseable install(CamelContext camel, Settings settings, Path dataDir, DataSource dataSource,
            DeadLetterStore deadLetters, MeterRegistry meters, Traces traces) throws SQLException {
        WebhookSettings webhooks = WebhookSettings.from(settings);
        SecretCipher secrets = SecretKeyring.cipher(settings, dataDir);
        SecretReencryption.run(dataSource, secrets);
        TargetGuard guard = new TargetGuard(webhooks.allowPrivateNetworks(), webhooks.allowedHosts());
        WebhookMetrics metrics = new WebhookMetrics(meters);
        Dispatcher dispatcher = new Dispatcher(dataSource, webhooks, guard, deadLetters, metrics,
                secrets, camel.getExecutorServiceManager(), traces);
        dispatcher.releaseClaims();
        EndpointChecks checks = new EndpointChecks(guard, webhooks);
        WebhookEndpoints endpoints = new WebhookEndpoints(dataSource, checks, webhooks, dispatcher, secrets);
        if (!webhooks.endpointsFile().isEmpty()) {
            new DeclaredEndpoints(dataSource, checks, secrets, Path.of(settings.get(Sources.SCHEMAS_DIR),
                    "webhook-endpoint-create.json")).declare(Path.of(webhooks.endpointsFile()));
        }
        deadLetters.onRetry("webhook", (transaction, eventId, url) -> {
            WebhookRedeliveries.redeliverDead(transaction, eventId, url);
            dispatcher.wake();
        });
        Registry registry = camel.getRegistry();
        registry.bind("webhookDispatcher", dispatcher);
        registry.bind("webhookFanOut", new FanOut(dataSource, dispatcher, metrics, traces));
        registry.bind("webhookEndpoints", endpoints);
        registry.bind("webhookRedeliveries", new WebhookRedeliveries(dataSource, dispatcher));
        return dispatcher;
    }
}
