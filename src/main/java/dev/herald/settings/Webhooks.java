package dev.herald.settings;

import java.time.Duration;
import java.util.List;

/** Webhook bridge: settings declared once (README's table is generated from them). */
public final class Webhooks {

    static final Group GROUP = new Group("Webhook bridge");

    public static final Setting<Boolean> ENABLED = GROUP.add(Setting.of(
            "herald.webhooks.enabled", Kind.flag(), "true",
            "run the webhook bridge's Kafka consumer ([docs/webhooks.md](docs/webhooks.md))"));

    public static final Setting<String> TOPICS = GROUP.add(Setting.of(
            "herald.webhooks.topics", Kind.text(), "",
            "topics whose events are offered to webhook endpoints; set, exactly these "
            + "(`herald.bridges.exclude-topics` no longer applies)")
            .shown("*(empty: every declared command's topic)*"));

    public static final Setting<String> CONSUMER_GROUP = GROUP.add(Setting.of(
            "herald.webhooks.consumer-group", Kind.required(), "herald-webhooks",
            "the bridge's Kafka consumer group, shared by every instance on one database so each event is fanned "
            + "out once (the insert is idempotent: a rebalance's repeats cost nothing)"));

    public static final Setting<Duration> TIMEOUT = GROUP.add(Setting.of(
            "herald.webhooks.timeout", Kind.millis(), "15000",
            "ms an endpoint has to answer 2xx"));

    public static final Setting<List<Duration>> RETRY_SCHEDULE = GROUP.add(Setting.of(
            "herald.webhooks.retry-schedule", Kind.millisList(), "0,5000,300000,1800000,7200000,18000000,36000000,36000000",
            "ms before each attempt; when spent the event is dead-lettered"));

    public static final Setting<Double> RETRY_JITTER = GROUP.add(Setting.of(
            "herald.webhooks.retry-jitter", Kind.decimal(0, 1), "0.2",
            "± fraction each retry wait is spread by"));

    public static final Setting<Duration> MAX_RETRY_AFTER = GROUP.add(Setting.of(
            "herald.webhooks.max-retry-after", Kind.millis(), "3600000",
            "longest `Retry-After` (429, 503) honoured, ms"));

    public static final Setting<Duration> DISABLE_AFTER = GROUP.add(Setting.of(
            "herald.webhooks.disable-after", Kind.millis(), "432000000",
            "ms without a success after which an endpoint is disabled"));

    public static final Setting<Integer> MAX_IN_FLIGHT_PER_ENDPOINT = GROUP.add(Setting.of(
            "herald.webhooks.max-in-flight-per-endpoint", Kind.count(1), "32",
            "open requests per endpoint (a hanging one holds no more)"));

    public static final Setting<Integer> MAX_IN_FLIGHT = GROUP.add(Setting.of(
            "herald.webhooks.max-in-flight", Kind.count(1), "2048",
            "webhook deliveries claimed or in flight in total"));

    public static final Setting<Integer> BATCH_SIZE = GROUP.add(Setting.of(
            "herald.webhooks.batch-size", Kind.count(1), "200",
            "deliveries claimed at once"));

    public static final Setting<Integer> POLL_INTERVAL = GROUP.add(Setting.of(
            "herald.webhooks.poll-interval", Kind.count(1), "250",
            "ms between looks for due retries"));

    public static final Setting<Integer> FAN_OUT_LINGER = GROUP.add(Setting.of(
            "herald.webhooks.fan-out-linger", Kind.count(1), "100",
            "longest ms an event read from Kafka waits for others to be fanned out with it in one transaction"));

    public static final Setting<Duration> LEASE = GROUP.add(Setting.of(
            "herald.webhooks.lease", Kind.millis(), "60000",
            "ms a claimed delivery is held before another instance may take it"));

    public static final Setting<Boolean> ALLOW_PRIVATE_NETWORKS = GROUP.add(Setting.of(
            "herald.webhooks.allow-private-networks", Kind.flag(), "false",
            "allow endpoints on loopback/private/link-local addresses"));

    public static final Setting<List<String>> ALLOWED_HOSTS = GROUP.add(Setting.of(
            "herald.webhooks.allowed-hosts", Kind.list(), "",
            "host names allowed whatever they resolve to (comma separated)"));

    public static final Setting<Integer> MAX_REQUEST_BODY = GROUP.add(Setting.of(
            "herald.webhooks.max-request-body", Kind.count(1), "2097152",
            "largest webhook body in bytes; larger events are dead-lettered"));

    public static final Setting<Integer> RESPONSE_EXCERPT = GROUP.add(Setting.of(
            "herald.webhooks.response-excerpt", Kind.count(0), "1024",
            "response bytes read and kept per attempt"));

    public static final Setting<Duration> SECRET_ROTATION_OVERLAP = GROUP.add(Setting.of(
            "herald.webhooks.secret-rotation-overlap", Kind.millis(), "86400000",
            "ms the previous secret keeps signing after a rotation"));

    public static final Setting<String> SECRET_KEY = GROUP.add(Setting.of(
            "herald.webhooks.secret-key", Kind.text(), "",
            "base64 of 32 random bytes encrypting the endpoints' signing secrets at rest; the same on every "
            + "instance (`openssl rand -base64 32`)")
            .shown("*(empty: generated into `<data dir>/webhook-secret.key`, with a warning)*").asSecret());

    public static final Setting<List<String>> PREVIOUS_SECRET_KEYS = GROUP.add(Setting.of(
            "herald.webhooks.previous-secret-keys", Kind.list(), "",
            "earlier keys, comma-separated, only to decrypt; secrets under them are re-encrypted at start").asSecret());

    public static final Setting<String> HANDSHAKE_ORIGIN = GROUP.add(Setting.of(
            "herald.webhooks.handshake-origin", Kind.required(), "herald",
            "`WebHook-Request-Origin` of the CloudEvents validation handshake"));

    public static final Setting<String> ENDPOINTS_FILE = GROUP.add(Setting.of(
            "herald.webhooks.endpoints-file", Kind.text(), "",
            "YAML file of static webhook endpoints"));

    private Webhooks() {
    }
}
