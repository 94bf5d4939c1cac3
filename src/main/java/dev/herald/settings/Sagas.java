package dev.herald.settings;

import java.time.Duration;

/** Orchestrated sagas (docs/sagas.md): settings declared once (README's table is generated from them). */
public final class Sagas {

    static final Group GROUP = new Group("Sagas");

    /** The family of the services sagas call: herald.services.payment.url, env HERALD_SERVICES_PAYMENT_URL. */
    static final String SERVICES = "herald.services.";

    public static final Setting<Duration> INTERVAL = GROUP.add(Setting.of(
            "herald.sagas.interval", Kind.millis(), "200",
            "ms between an idle saga runner's looks for sagas with a call due (services are declared as "
            + "`herald.services.<name>.url`, e.g. HERALD_SERVICES_PAYMENT_URL; a saga runs only when all of "
            + "its services are set)"));

    public static final Setting<Duration> CALL_TIMEOUT = GROUP.add(Setting.of(
            "herald.sagas.call-timeout", Kind.millis(), "10000",
            "longest one saga call (HTTP) may take to connect, and again to answer, before it counts as failed "
            + "and is retried"));

    public static final Setting<Duration> STEP_DEADLINE = GROUP.add(Setting.of(
            "herald.sagas.step-deadline", Kind.millis(), "60000",
            "how long a saga call is retried (5xx, timeouts, connection errors) from its first attempt; past it "
            + "an action compensates with reason `timeout`, a compensation fails the saga"));

    public static final Setting<Duration> RETRY_BACKOFF = GROUP.add(Setting.of(
            "herald.sagas.retry-backoff", Kind.millis(), "500",
            "wait before a failed saga call's second attempt, doubling for each next one"));

    public static final Setting<Duration> MAX_BACKOFF = GROUP.add(Setting.of(
            "herald.sagas.max-backoff", Kind.millis(), "10000",
            "longest wait between two attempts of a saga call"));

    public static final Setting<Duration> LEASE = GROUP.add(Setting.of(
            "herald.sagas.lease", Kind.millis(), "60000",
            "how long a hub instance holds a saga while it makes a call (longer than two call timeouts); a "
            + "killed instance's sagas are taken over after it"));

    public static final Setting<Integer> MAX_RUNNING = GROUP.add(Setting.of(
            "herald.sagas.max-running", Kind.count(1), "4",
            "how many sagas of one type have a call in flight at once, across the hub instances on one database "
            + "(each instance runs that many workers): a burst of starting events queues up instead of flooding a "
            + "service with calls; a saga's own `maxRunning` (its `herald:saga:` route) overrides it"));

    /** A declared service's base URL (empty: not set, its sagas are inactive). */
    public static Setting<String> serviceUrl(String service) {
        return Setting.of(SERVICES + service + ".url", Kind.url("http://", "https://"), "",
                "base URL of the service " + service + " that sagas call");
    }

    private Sagas() {
    }
}
