package dev.herald.cdc;

import dev.herald.command.CommandResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The last step of a CDC source's route: counts its changes as {@code herald_cdc_changes_total{source, outcome}},
 * {@code stored} (a new event) or {@code repeated} (a redelivery after a restart, recognised by the inbox: nothing
 * appended). A processor, since the count needs the outcome the groupCommit policy left on the exchange.
 */
public final class ChangeMeters implements Processor {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public ChangeMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void process(Exchange exchange) {
        CommandResult result = exchange.getProperty(CommandResult.PROPERTY, CommandResult.class);
        if (result == null) {
            throw new IllegalStateException("route " + exchange.getFromRouteId() + " counts a change before its "
                    + "groupCommit policy ran");
        }
        count(exchange.getFromRouteId(), result.replayed() ? "repeated" : "stored");
    }

    void count(String source, String outcome) {
        counters.computeIfAbsent(source + "\n" + outcome, key -> Counter.builder("herald.cdc.changes")
                .tag("source", source).tag("outcome", outcome)
                .description("Row changes a CDC source took: stored, repeated deliveries recognised, dead-lettered")
                .register(registry)).increment();
    }
}
