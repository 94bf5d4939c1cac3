package dev.herald;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.model.TemplatedRouteParameterDefinition;

/**
 * A parsed route file's routes as Camel would add them, templated ones expanded with their parameters and the
 * template's defaults, so they can be checked before they replace anything (live reload).
 */
final class DeclaredRoutes {

    private DeclaredRoutes() {
    }

    /** The file's routes as they will be added, templated ones expanded as Camel expands them, but not added. */
    static List<RouteDefinition> of(RouteBuilder next, Model model) {
        List<RouteDefinition> routes = new ArrayList<>(next.getRouteCollection().getRoutes());
        for (TemplatedRouteDefinition templated : next.getTemplatedRouteCollection().getTemplatedRoutes()) {
            String ref = templated.getRouteTemplateRef();
            RouteTemplateDefinition template = next.getRouteTemplateCollection().getRouteTemplates().stream()
                    .filter(t -> ref.equals(t.getId())).findFirst().orElse(model.getRouteTemplateDefinition(ref));
            if (template == null) {
                throw new IllegalArgumentException("route " + templated.getRouteId() + ": no route template " + ref);
            }
            Map<String, Object> defaults = new HashMap<>();
            for (RouteTemplateParameterDefinition parameter : listOf(template.getTemplateParameters())) {
                if (parameter.getDefaultValue() != null) {
                    defaults.put(parameter.getName(), parameter.getDefaultValue());
                }
            }
            Map<String, Object> parameters = new HashMap<>(defaults);
            for (TemplatedRouteParameterDefinition parameter : listOf(templated.getParameters())) {
                parameters.put(parameter.getName(), parameter.getValue());
            }
            RouteDefinition route = template.asRouteDefinition();
            route.setId(templated.getRouteId());
            route.setTemplateParameters(parameters);
            route.setTemplateDefaultParameters(defaults);
            routes.add(route);
        }
        return routes;
    }

    private static <T> List<T> listOf(List<T> list) {
        return list == null ? List.of() : list;
    }
}
