package dev.herald.intake;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;

/** Which routes are commands: those with a {@code herald:command} step, looked up once per route. */
public final class CommandRoutes implements Predicate<String> {

    private final CamelContext camel;
    private final Map<String, Boolean> known = new ConcurrentHashMap<>();

    public CommandRoutes(CamelContext camel) {
        this.camel = camel;
    }

    @Override
    public boolean test(String routeId) {
        return routeId != null && known.computeIfAbsent(routeId, this::hasCommandStep);
    }

    private boolean hasCommandStep(String routeId) {
        RouteDefinition route = camel.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinition(routeId);
        return route != null && !commandSteps(route).isEmpty();
    }

    /**
     * Every {@code herald:command} step of the loaded routes, as its endpoint (which parses the options, so a wrong
     * one fails here as it would when the route starts), with the route's template parameters in force. What
     * {@code each} throws names the route.
     */
    static void forEachDeclared(CamelContext camel, BiConsumer<RouteDefinition, CommandEndpoint> each) {
        for (RouteDefinition route : camel.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinitions()) {
            for (String uri : commandSteps(route)) {
                DeclaredRoute.read(camel, route, resolve -> {
                    each.accept(route, camel.getEndpoint(resolve.apply(uri), CommandEndpoint.class));
                    return null;
                });
            }
        }
    }

    /** The URIs of a route's {@code herald:command} steps, however deep in its outputs. */
    static List<String> commandSteps(RouteDefinition route) {
        return ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), ToDefinition.class).stream()
                .map(ToDefinition::getEndpointUri)
                .filter(uri -> uri != null && uri.startsWith("herald:command")).toList();
    }
}
