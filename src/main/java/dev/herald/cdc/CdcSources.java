package dev.herald.cdc;

import dev.herald.contract.EventSchemas;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.intake.DeclaredRoute;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;

/**
 * The declared CDC sources (routes starting {@code from: debezium-postgres:}, see routes/cdc.camel.yaml), settled
 * after the routes are loaded and before Camel creates them: Camel's Debezium component is told the database (the
 * hub's, or herald.cdc.db-url), the offsets' directory is made, each source's event types must have schemas, the
 * bridges learn their topics, each slot's lag is watched, and an operator's retry of a change a source dead-lettered
 * runs through its route ({@link ChangeRetries}). With no source declared nothing of Debezium loads.
 */
public final class CdcSources implements AutoCloseable {

    static final String SCHEME = "debezium-postgres:";

    private final CdcDatabase database;
    private final Path offsets;
    private final long lagAlert;
    private final Duration lagInterval;
    private final MeterRegistry registry;
    private SlotLag lag;

    /** {@code offsets}: the directory of the sources' offset files (under herald.data.dir). */
    public CdcSources(String jdbcUrl, String user, String password, Path offsets, long lagAlert, Duration lagInterval,
            MeterRegistry registry) {
        this.database = new CdcDatabase(jdbcUrl, user, password);
        this.offsets = offsets;
        this.lagAlert = lagAlert;
        this.lagInterval = lagInterval;
        this.registry = registry;
    }

    /** Answers the Kafka topics of the declared sources' events (none declared: none). */
    public Set<String> settle(CamelContext camel, EventSchemas schemas, DeadLetterStore deadLetters)
            throws IOException {
        List<RouteDefinition> sources = sources(camel);
        Set<String> topics = new TreeSet<>();
        Map<String, String> routes = new HashMap<>();
        if (sources.isEmpty()) {
            ChangeRetries.register(camel, deadLetters, routes);
            return topics;
        }
        Files.createDirectories(offsets);
        DebeziumSetup.connect(camel, database);
        List<String> slots = new ArrayList<>();
        for (RouteDefinition route : sources) {
            DeclaredRoute.read(camel, route, resolve -> {
                slots.add(DebeziumSetup.slotOf(camel, resolve.apply(route.getInput().getEndpointUri())));
                for (String uri : changeSteps(route)) {
                    ChangeEndpoint change = camel.getEndpoint(resolve.apply(uri), ChangeEndpoint.class);
                    for (String type : change.eventTypes()) {
                        if (schemas.version(type, change.getEventVersion()).isEmpty()) {
                            throw new IllegalArgumentException("event " + type + " version "
                                    + change.getEventVersion() + " has no schema: write "
                                    + schemas.fileOf(type, change.getEventVersion())
                                    + " (the JSON Schema of its data; docs/cdc.md)");
                        }
                    }
                    topics.add(change.getTopic());
                    routes.put(change.getSource(), route.getRouteId());
                }
                return null;
            });
        }
        ChangeRetries.register(camel, deadLetters, routes);
        lag = new SlotLag(database, lagAlert, lagInterval, slots, registry);
        return topics;
    }

    /**
     * The {@code herald:change} step of every declared source as its route runs it: its topic, aggregate and event
     * types (the AsyncAPI document describes them as it does commands' events).
     */
    public static List<ChangeEndpoint> declared(CamelContext camel) {
        List<ChangeEndpoint> changes = new ArrayList<>();
        for (RouteDefinition route : sources(camel)) {
            DeclaredRoute.read(camel, route, resolve -> {
                changeSteps(route).forEach(uri -> changes.add(camel.getEndpoint(resolve.apply(uri),
                        ChangeEndpoint.class)));
                return null;
            });
        }
        return changes;
    }

    private static List<RouteDefinition> sources(CamelContext camel) {
        List<RouteDefinition> sources = new ArrayList<>();
        for (RouteDefinition route : camel.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinitions()) {
            String from = route.getInput() == null ? null : route.getInput().getEndpointUri();
            if (from != null && from.startsWith(SCHEME)) {
                sources.add(route);
            }
        }
        return sources;
    }

    private static List<String> changeSteps(RouteDefinition route) {
        return ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), ToDefinition.class).stream()
                .map(ToDefinition::getEndpointUri).filter(uri -> uri != null && uri.startsWith("herald:change"))
                .toList();
    }

    @Override
    public void close() {
        if (lag != null) {
            lag.close();
        }
    }
}
