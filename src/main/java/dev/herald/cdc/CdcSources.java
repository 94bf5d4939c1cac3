package dev.herald.cdc;

import dev.herald.contract.EventSchemas;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.intake.DeclaredRoute;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The declared CDC sources (routes starting {@code from: debezium-postgres:}, see routes/cdc.camel.yaml), settled
 * after the routes are loaded and before Camel creates them: Camel's Debezium component is told the database (the
 * hub's, or herald.cdc.db-url), the offsets' directory is made, each source's event types must have schemas, the
 * bridges learn their topics, each slot's lag is watched, and an operator's retry of a change a source dead-lettered
 * runs through its route ({@link ChangeRetries}). With no source declared nothing of Debezium loads.
 */
public final class CdcSources implements AutoCloseable {

    static final String SCHEME = "debezium-postgres:";

    private static final Logger LOG = LoggerFactory.getLogger(CdcSources.class);

    private final CdcDatabase database;
    private final DataSource events;
    private final Path offsets;
    private final long lagAlert;
    private final Duration lagInterval;
    private final MeterRegistry registry;
    private SlotLag lag;

    /**
     * {@code events}: the hub's database (its inbox); {@code offsets}: the directory of the sources' offset files
     * (under herald.data.dir).
     */
    public CdcSources(String jdbcUrl, String user, String password, DataSource events, Path offsets, long lagAlert,
            Duration lagInterval, MeterRegistry registry) {
        this.database = new CdcDatabase(jdbcUrl, user, password);
        this.events = events;
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
                String from = resolve.apply(route.getInput().getEndpointUri());
                slots.add(DebeziumSetup.slotOf(camel, from));
                for (String uri : changeSteps(route)) {
                    ChangeEndpoint change = camel.getEndpoint(resolve.apply(uri), ChangeEndpoint.class);
                    resume(camel, from, change.getSource());
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

    /** Without its offsets but with its slot and changes already streamed: from the slot, no second snapshot. */
    private void resume(CamelContext camel, String from, String source) {
        if (!DebeziumSetup.snapshotsWithoutOffsets(camel, from)) {
            return;
        }
        String slot = DebeziumSetup.slotOf(camel, from);
        Path offsetsFile = DebeziumSetup.offsetsOf(camel, from);
        try {
            if (ResumePoint.fromSlot(database, events, source, slot, offsetsFile)) {
                DebeziumSetup.streamWithoutSnapshot(camel, from);
                LOG.warn("CDC source {}: no offsets in {} (the hub stopped before Debezium first wrote them), but its "
                        + "slot {} holds the changes since the last it confirmed: streaming from the slot without a "
                        + "second snapshot; the changes already stored are recognised by the inbox", source,
                        offsetsFile, slot);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("CDC source " + source + ": its offsets file " + offsetsFile + " is missing "
                    + "and whether its slot " + slot + " holds its changes could not be read (" + e.getMessage()
                    + "); a snapshot now could repeat its rows as new events, so the hub does not start", e);
        }
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
