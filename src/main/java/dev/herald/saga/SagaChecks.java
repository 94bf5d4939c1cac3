package dev.herald.saga;

import dev.herald.intake.CommandRoutes;
import dev.herald.intake.DeclaredRoute;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the routes are loaded, before Camel creates them: every saga's declaration checked (each step has an action
 * and a compensation route, the final commands exist, each call names one of the saga's services or a command
 * route), failures naming the file, the route and the field; and a saga whose services are not all set is left
 * stopped, with its starting projection, so the default run stays as it was.
 */
public final class SagaChecks {

    private static final Logger LOG = LoggerFactory.getLogger(SagaChecks.class);
    private static final String SAGA = "herald:saga:";
    private static final String REQUEST = "herald:saga-request";

    private SagaChecks() {
    }

    public static void check(CamelContext camel) {
        List<RouteDefinition> routes = camel.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinitions();
        CommandRoutes commands = new CommandRoutes(camel);
        for (RouteDefinition route : routes) {
            String from = resolved(camel, route, route.getInput().getEndpointUri());
            if (!from.startsWith(SAGA)) {
                continue;
            }
            SagaEndpoint saga = camel.getEndpoint(from, SagaEndpoint.class);
            String type = saga.type();
            String prefix = "direct:saga." + type + ".";
            List<String> needed = new ArrayList<>();
            for (String step : saga.stepList()) {
                needed.add(prefix + step + "." + Call.ACTION);
                needed.add(prefix + step + "." + Call.COMPENSATION);
            }
            needed.add(prefix + "completed");
            needed.add(prefix + "compensated");
            for (String input : needed) {
                if (routes.stream().noneMatch(other -> input.equals(resolved(camel, other,
                        other.getInput().getEndpointUri())))) {
                    throw new IllegalStateException(where(route, route) + ": saga " + type + " has no route from " + input
                            + " (every step needs an action and a compensation, and the saga both final commands)");
                }
            }
            for (RouteDefinition call : routes) {
                if (resolved(camel, call, call.getInput().getEndpointUri()).startsWith(prefix)) {
                    checkCalls(camel, call, route, saga, commands);
                }
            }
            List<String> unset = saga.unsetServices();
            if (unset.isEmpty()) {
                saga.activate();
            } else {
                route.setAutoStartup("false");
                String start = "herald:projection:saga." + type;
                routes.stream().map(other -> Map.entry(other, resolved(camel, other, other.getInput().getEndpointUri())))
                        .filter(other -> other.getValue().equals(start) || other.getValue().startsWith(start + "?"))
                        .forEach(other -> other.getKey().setAutoStartup("false"));
                LOG.info("saga {} is not active: {} not set", type, unset.stream()
                        .map(service -> "herald.services." + service + ".url").toList());
            }
        }
    }

    private static void checkCalls(CamelContext camel, RouteDefinition call, RouteDefinition sagaRoute,
            SagaEndpoint saga, CommandRoutes commands) {
        for (ToDefinition to : ProcessorDefinitionHelper.filterTypeInOutputs(call.getOutputs(), ToDefinition.class)) {
            String uri = resolved(camel, call, to.getEndpointUri());
            if (!uri.startsWith(REQUEST)) {
                continue;
            }
            Map<String, Object> options;
            try {
                options = URISupport.parseQuery(URISupport.extractQuery(uri));
            } catch (java.net.URISyntaxException e) {
                throw new IllegalStateException(where(call, sagaRoute) + ": " + uri + " is not a URI", e);
            }
            Object service = options.get("service");
            if (service != null && !saga.serviceList().contains(service.toString())) {
                throw new IllegalStateException(where(call, sagaRoute) + ": service '" + service + "' is not one of saga "
                        + saga.type() + "'s services " + saga.serviceList() + " (its services= option)");
            }
            Object command = options.get("command");
            if (command != null && !commands.test(command.toString())) {
                throw new IllegalStateException(where(call, sagaRoute) + ": command '" + command + "' is not a command route "
                        + "(a route with a herald:command step)");
            }
        }
    }

    /**
     * The file and route of a declaration, for a start-up error. A templated route keeps no file of its own: it is
     * the saga's (its calls are declared beside it).
     */
    private static String where(RouteDefinition route, RouteDefinition saga) {
        RouteDefinition declared = route.getResource() != null ? route : saga;
        String file = declared.getResource() == null ? "routes" : declared.getResource().getLocation();
        return file + ": route " + route.getRouteId();
    }

    /** A URI as the route will see it: its template parameters, then settings, in force. */
    private static String resolved(CamelContext camel, RouteDefinition route, String text) {
        return text == null ? "" : DeclaredRoute.read(camel, route, resolve -> resolve.apply(text));
    }
}
