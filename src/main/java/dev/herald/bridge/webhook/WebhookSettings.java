package dev.herald.bridge.webhook;

import dev.herald.settings.Publishing;
import dev.herald.settings.Settings;
import dev.herald.settings.Webhooks;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The herald.webhooks.* settings the dispatcher and the endpoints API read (declared in settings.Webhooks). */
public record WebhookSettings(Duration timeout, List<Duration> retrySchedule, double jitter, Duration maxRetryAfter,
        Duration disableAfter, int maxInFlightPerEndpoint, int maxInFlight, int batchSize, Duration lease,
        boolean allowPrivateNetworks, Set<String> allowedHosts, int maxRequestBody, int responseExcerpt,
        Duration secretOverlap, String handshakeOrigin, String endpointsFile, String claimant,
        int retryAfterSeconds) {

    static WebhookSettings from(Settings settings) {
        return new WebhookSettings(settings.get(Webhooks.TIMEOUT), settings.get(Webhooks.RETRY_SCHEDULE),
                settings.get(Webhooks.RETRY_JITTER), settings.get(Webhooks.MAX_RETRY_AFTER),
                settings.get(Webhooks.DISABLE_AFTER), settings.get(Webhooks.MAX_IN_FLIGHT_PER_ENDPOINT),
                settings.get(Webhooks.MAX_IN_FLIGHT), settings.get(Webhooks.BATCH_SIZE), settings.get(Webhooks.LEASE),
                settings.get(Webhooks.ALLOW_PRIVATE_NETWORKS),
                settings.get(Webhooks.ALLOWED_HOSTS).stream().map(String::toLowerCase)
                        .collect(Collectors.toUnmodifiableSet()),
                settings.get(Webhooks.MAX_REQUEST_BODY), settings.get(Webhooks.RESPONSE_EXCERPT),
                settings.get(Webhooks.SECRET_ROTATION_OVERLAP), settings.get(Webhooks.HANDSHAKE_ORIGIN),
                settings.get(Webhooks.ENDPOINTS_FILE), settings.get(Publishing.INSTANCE_ID) + "-webhooks",
                settings.get(Publishing.RETRY_AFTER));
    }
}
