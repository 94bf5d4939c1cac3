package dev.herald.bridge.webhook;

import dev.herald.settings.Settings;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The herald.webhooks.* settings (application.properties documents each one). */
public record WebhookSettings(Duration timeout, List<Duration> retrySchedule, double jitter, Duration maxRetryAfter,
        Duration disableAfter, int maxInFlightPerEndpoint, int maxInFlight, int batchSize, Duration lease,
        boolean allowPrivateNetworks, Set<String> allowedHosts, int maxRequestBody, int responseExcerpt,
        Duration secretOverlap, String handshakeOrigin, String endpointsFile, String claimant,
        int retryAfterSeconds) {

    static WebhookSettings from(Settings settings) {
        return new WebhookSettings(settings.millis("herald.webhooks.timeout"),
                list(settings.require("herald.webhooks.retry-schedule")).stream()
                        .map(ms -> Duration.ofMillis(Long.parseLong(ms))).toList(),
                Double.parseDouble(settings.require("herald.webhooks.retry-jitter")),
                settings.millis("herald.webhooks.max-retry-after"), settings.millis("herald.webhooks.disable-after"),
                settings.getInt("herald.webhooks.max-in-flight-per-endpoint"),
                settings.getInt("herald.webhooks.max-in-flight"), settings.getInt("herald.webhooks.batch-size"),
                settings.millis("herald.webhooks.lease"),
                Boolean.parseBoolean(settings.require("herald.webhooks.allow-private-networks")),
                list(settings.get("herald.webhooks.allowed-hosts")).stream().map(String::toLowerCase)
                        .collect(Collectors.toUnmodifiableSet()),
                settings.getInt("herald.webhooks.max-request-body"),
                settings.getInt("herald.webhooks.response-excerpt"),
                settings.millis("herald.webhooks.secret-rotation-overlap"),
                settings.require("herald.webhooks.handshake-origin"), settings.get("herald.webhooks.endpoints-file"),
                settings.require("herald.instance.id") + "-webhooks", settings.getInt("herald.publish.retry-after"));
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
