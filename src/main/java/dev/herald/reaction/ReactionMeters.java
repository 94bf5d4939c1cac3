package dev.herald.reaction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per reaction: records read from its topic ({@code herald.reactions.received}), events applied as a command
 * ({@code .applied}), redeliveries the inbox made a replay of ({@code .duplicates}), retries ({@code .retries}) and
 * events given up on ({@code .dead.lettered}).
 */
final class ReactionMeters {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    ReactionMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void received(String reaction) {
        count("received", reaction, "Records a reaction read from its topic");
    }

    void applied(String reaction, boolean duplicate) {
        if (duplicate) {
            count("duplicates", reaction, "Inbound events applied before: their command's answer replayed, no effect");
        } else {
            count("applied", reaction, "Inbound events applied as a command");
        }
    }

    void retried(String reaction) {
        count("retries", reaction, "Tries of an inbound event again (not now, or refused by a block reaction)");
    }

    void deadLettered(String reaction) {
        count("dead.lettered", reaction, "Inbound events a reaction gave up on (dead letter stage inbound)");
    }

    private void count(String name, String reaction, String description) {
        counters.computeIfAbsent(name + "\n" + reaction, key -> Counter.builder("herald.reactions." + name)
                .tag("reaction", reaction).description(description).register(registry)).increment();
    }
}
