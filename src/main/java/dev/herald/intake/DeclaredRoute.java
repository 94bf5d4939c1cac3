package dev.herald.intake;

import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.PropertiesComponent;

/**
 * A loaded route as Camel will create it, read before it does: a templated route's {@code {{names}}} are its
 * template parameters (local properties while it is created), the others settings. The start-up checks of the
 * declarations use it, so they see what the route will run.
 */
public final class DeclaredRoute {

    private DeclaredRoute() {
    }

    /** Runs {@code read} with the route's template parameters in force, naming the route in any failure. */
    public static <T> T read(CamelContext camel, RouteDefinition route, Function<Function<String, String>, T> read) {
        PropertiesComponent properties = camel.getPropertiesComponent();
        Properties local = new Properties();
        putAll(local, route.getTemplateDefaultParameters());
        putAll(local, route.getTemplateParameters());
        properties.setLocalProperties(local);
        try {
            return read.apply(camel::resolvePropertyPlaceholders);
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
