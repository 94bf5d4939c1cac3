package dev.herald.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Commands answered, per declared command: accepted (reason: published, pending, replayed) or rejected
 * (reason: the problem type, e.g. schema-violation, broker-unavailable, shedding).
 */
public final class CommandMeters {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public CommandMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    public void accepted(String command, String reason) {
        count(command, "accepted", reason);
    }

    public void rejected(String command, String problemType) {
        count(command, "rejected", problemType.substring(problemType.lastIndexOf(':') + 1));
    }

    private void count(String command, String outcome, String reason) {
        counters.computeIfAbsent(command + '\n' + outcome + '\n' + reason, key -> Counter.builder("herald.commands")
                .description("Commands answered").tag("command", command).tag("outcome", outcome)
                .tag("reason", reason).register(registry)).increment();
    }
}
