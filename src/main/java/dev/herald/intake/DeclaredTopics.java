package dev.herald.intake;

import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;

/**
 * The Kafka topics the loaded routes declare: the {@code topic} of every {@code herald:command} step, whether
 * written out or from the {@code command} template. Read from the route model, so it works after the routes
 * are loaded and before Camel creates them (and their bridge consumers, which need this list).
 */
public final class DeclaredTopics {

    private DeclaredTopics() {
    }

    public static Set<String> in(CamelContext camel) {
        Set<String> topics = new TreeSet<>();
        for (RouteDefinition route : camel.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinitions()) {
            for (String uri : CommandRoutes.commandSteps(route)) {
                topics.add(topicOf(camel, route, uri));
            }
        }
        return topics;
    }

    /** The endpoint itself parses the options, so a wrong option fails here as it would when the route starts. */
    private static String topicOf(CamelContext camel, RouteDefinition route, String uri) {
        return DeclaredRoute.read(camel, route,
                resolve -> camel.getEndpoint(resolve.apply(uri), CommandEndpoint.class).getTopic());
    }
}
