package dev.herald.intake;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.PropertiesComponent;

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

    /**
     * Resolved as Camel will when it creates the route: a templated route's {{topic}} is a template parameter
     * (a local property while it is created). The endpoint itself parses the options, so it is the one the
     * route then uses, and a wrong option fails here as it would there.
     */
    private static String topicOf(CamelContext camel, RouteDefinition route, String uri) {
        PropertiesComponent properties = camel.getPropertiesComponent();
        Properties local = new Properties();
        putAll(local, route.getTemplateDefaultParameters());
        putAll(local, route.getTemplateParameters());
        properties.setLocalProperties(local);
        try {
            return camel.getEndpoint(camel.resolvePropertyPlaceholders(uri), CommandEndpoint.class).getTopic();
        } catch (RuntimeException e) {
            throw new IllegalStateException("route " + route.getRouteId() + ": " + e.getMessage(), e);
        } finally {
            properties.setLocalProperties(null);
        }
    }

    private static void putAll(Properties local, Map<String, ?> parameters) {
        if (parameters != null) {
            parameters.forEach((name, value) -> {
                if (value != null) {
                    local.put(name, value);
                }
            });
        }
    }
}
