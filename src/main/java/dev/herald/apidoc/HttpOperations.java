package dev.herald.apidoc;

import dev.herald.intake.DeclaredRoute;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP operations of the routes loaded in a CamelContext, read from their declarations (the route model, as
 * routes/*.camel.yaml and their templates declare them), so a route added in YAML is described without Java. Every
 * route whose input is {@code platform-http:<path>} under /api or /observe is one operation per method of its
 * {@code httpMethodRestrict}; wildcard paths (static files) and pages for people (the console) are left out.
 */
final class HttpOperations {

    private static final Logger LOG = LoggerFactory.getLogger(HttpOperations.class);

    private static final String HTTP = "platform-http:";
    private static final String DIRECT = "direct:";

    private HttpOperations() {
    }

    static List<HttpOperation> in(CamelContext camel) {
        List<RouteDefinition> routes = camel.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinitions();
        Map<String, RouteDefinition> byDirectInput = new HashMap<>();
        for (RouteDefinition route : routes) {
            String input = inputOf(camel, route);
            if (input.startsWith(DIRECT)) {
                byDirectInput.put(input.split("\\?", 2)[0], route);
            }
        }
        List<HttpOperation> operations = new ArrayList<>();
        for (RouteDefinition route : routes) {
            try {
                operations.addAll(of(camel, route, byDirectInput));
            } catch (RuntimeException unreadable) {
                // one route the reader does not understand leaves it out, not the whole document
                LOG.warn("API documents: route {} left out: {}", route.getRouteId(), unreadable.getMessage());
            }
        }
        operations.sort(Comparator.comparing(HttpOperation::path).thenComparing(HttpOperation::method));
        return operations;
    }

    private static List<HttpOperation> of(CamelContext camel, RouteDefinition route,
            Map<String, RouteDefinition> byDirectInput) {
        List<HttpOperation> operations = new ArrayList<>();
        String input = inputOf(camel, route);
        if (input.startsWith(HTTP)) {
            String path = input.substring(HTTP.length()).split("\\?", 2)[0];
            if (path.contains("*") || !(path.startsWith("/api/") || path.startsWith("/observe/"))) {
                return operations;
            }
            List<String> uris = new ArrayList<>();
            List<String> processors = new ArrayList<>();
            collectSteps(camel, route, byDirectInput, uris, processors, new HashSet<>());
            String methods = HttpOperation.option(input, "httpMethodRestrict").orElse("GET");
            String produces = HttpOperation.option(input, "produces").orElse("application/json");
            boolean guarded = "problems".equals(route.getRouteConfigurationId());
            for (String method : methods.split(",")) {
                operations.add(new HttpOperation(route.getRouteId(), method.strip().toUpperCase(Locale.ROOT), path,
                        route.getDescription(), produces, guarded, List.copyOf(uris), List.copyOf(processors)));
            }
        }
        return operations;
    }

    /** The resolved input URI of every loaded route ({@code kafka:..}, {@code herald:projection:..}, ...). */
    static List<String> inputs(CamelContext camel) {
        List<String> inputs = new ArrayList<>();
        for (RouteDefinition route : camel.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinitions()) {
            inputs.add(inputOf(camel, route));
        }
        return inputs;
    }

    /** The route's input URI, resolved; empty for one whose placeholders do not resolve (logged). */
    private static String inputOf(CamelContext camel, RouteDefinition route) {
        try {
            return DeclaredRoute.read(camel, route, resolve -> resolve.apply(route.getInput().getEndpointUri()));
        } catch (RuntimeException unreadable) {
            LOG.warn("API documents: route {} left out: {}", route.getRouteId(), unreadable.getMessage());
            return "";
        }
    }

    /** The route's steps, resolved as the route will run them, then those of each {@code direct:} route it calls. */
    private static void collectSteps(CamelContext camel, RouteDefinition route, Map<String, RouteDefinition> direct,
            List<String> uris, List<String> processors, Set<String> seen) {
        if (!seen.add(route.getRouteId())) {
            return;
        }
        List<String> called = new ArrayList<>();
        DeclaredRoute.read(camel, route, resolve -> {
            for (ToDefinition to : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                    ToDefinition.class)) {
                String uri = resolve.apply(to.getEndpointUri());
                uris.add(uri);
                if (uri.startsWith(DIRECT)) {
                    called.add(uri.split("\\?", 2)[0]);
                }
            }
            for (ProcessDefinition process : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                    ProcessDefinition.class)) {
                processors.add(resolve.apply(process.getRef()));
            }
            for (BeanDefinition bean : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                    BeanDefinition.class)) {
                String ref = bean.getRef() != null ? bean.getRef() : String.valueOf(bean.getBeanType());
                processors.add(resolve.apply(ref) + "." + (bean.getMethod() == null ? "" : bean.getMethod()));
            }
            return null;
        });
        for (String uri : called) {
            RouteDefinition callee = direct.get(uri);
            if (callee != null) {
                collectSteps(camel, callee, direct, uris, processors, seen);
            }
        }
    }
}
