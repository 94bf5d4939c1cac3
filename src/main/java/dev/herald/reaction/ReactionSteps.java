package dev.herald.reaction;

import dev.herald.deadletter.DeadLetterStore;
import dev.herald.intake.DeclaredRoute;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What reactions need beside Camel (docs/reactions.md): the steps {@code herald:inbound} and {@code herald:apply},
 * the error steps the route configuration {@code reactions} calls, and the start-up checks of the declarations.
 */
public final class ReactionSteps {

    private static final Logger LOG = LoggerFactory.getLogger(ReactionSteps.class);
    private static final String APPLY = "herald:apply";
    private static final String INBOUND = "herald:inbound";

    private final ReactionMeters meters;
    private final Inbox inbox;
    private final ReactionErrors errors;

    public ReactionSteps(DataSource dataSource, MeterRegistry registry, DeadLetterStore deadLetters) {
        this.meters = new ReactionMeters(registry);
        this.inbox = new Inbox(dataSource);
        this.errors = new ReactionErrors(deadLetters, meters);
    }

    /** The beans the route configuration {@code reactions} (routes/reactions.camel.yaml) calls. */
    public void bind(Registry registry) {
        registry.bind("reactionErrors", errors);
        registry.bind("reactionRetrying", (Processor) errors::retrying);
    }

    /** {@code herald:inbound}: the reaction's first step. */
    public Endpoint inbound(String uri, Component component) {
        return new InboundEndpoint(uri, component, meters);
    }

    /** {@code herald:apply}: the reaction's last step. */
    public Endpoint apply(String uri, Component component) {
        return new ApplyEndpoint(uri, component, this);
    }

    ReactionMeters meters() {
        return meters;
    }

    Inbox inbox() {
        return inbox;
    }

    /**
     * After the routes are loaded, before Camel creates them: every {@code herald:apply} names a command route
     * ({@code isCommand}), else the start fails naming the reaction, its file and the command; a reaction whose
     * topic is empty (the shipped example until its topic is set) is left out, and the log says so. Then an
     * operator's retry of an {@code inbound} dead letter runs its reaction's route again ({@link ReactionRetries}).
     */
    public static void settle(CamelContext camel, Predicate<String> isCommand, DeadLetterStore deadLetters)
            throws Exception {
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        List<RouteDefinition> off = new ArrayList<>();
        Map<String, String> reactions = new HashMap<>();
        for (RouteDefinition route : model.getRouteDefinitions()) {
            List<String> applies = ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), ToDefinition.class)
                    .stream().map(ToDefinition::getEndpointUri).filter(uri -> uri != null && uri.startsWith(APPLY))
                    .toList();
            if (applies.isEmpty()) {
                continue;
            }
            DeclaredRoute.read(camel, route, resolve -> {
                for (String uri : applies) {
                    String command = camel.getEndpoint(resolve.apply(uri), ApplyEndpoint.class).getCommand();
                    RouteDefinition target = model.getRouteDefinition(command);
                    if (!isCommand.test(command) || !target.getInput().getEndpointUri().startsWith("platform-http:")) {
                        throw new IllegalArgumentException("reaction " + route.getRouteId() + where(route)
                                + ": its command " + command + " is no command route (parameter command: the route "
                                + "id of a platform-http route with a herald:command step, e.g. order.cancel)");
                    }
                }
                for (ToDefinition inbound : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                        ToDefinition.class)) {
                    if (inbound.getEndpointUri() != null && inbound.getEndpointUri().startsWith(INBOUND)) {
                        reactions.put(camel.getEndpoint(resolve.apply(inbound.getEndpointUri()),
                                InboundEndpoint.class).getReaction(), route.getRouteId());
                    }
                }
                String from = resolve.apply(route.getInput().getEndpointUri());
                if (from.startsWith("kafka:") && topics(from).isBlank()) {
                    off.add(route);
                }
                return null;
            });
        }
        for (RouteDefinition route : off) {
            model.removeRouteDefinition(route);
            reactions.values().remove(route.getRouteId());
            LOG.info("reaction {}{} is off: its Kafka topic is not set", route.getRouteId(), where(route));
        }
        ReactionRetries.register(camel, deadLetters, reactions);
    }

    /** kafka:a,b?options -> a,b */
    private static String topics(String kafkaUri) {
        String rest = kafkaUri.substring("kafka:".length());
        int options = rest.indexOf('?');
        return options < 0 ? rest : rest.substring(0, options);
    }

    private static String where(RouteDefinition route) {
        // a templated route's definition does not keep its file
        return route.getResource() == null ? "" : " (" + route.getResource().getLocation() + ")";
    }
}
