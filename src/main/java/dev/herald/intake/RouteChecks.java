package dev.herald.intake;

import org.apache.camel.CamelContext;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;

/**
 * The start-up checks of one route, run before it replaces anything (live reload): its command's SQL parameters,
 * and every endpoint it names created as Camel will create it, which checks {@code herald:command} options and
 * schema files. Endpoints only, no consumer or producer: nothing starts serving.
 */
public final class RouteChecks {

    private RouteChecks() {
    }

    public static void check(CamelContext camel, RouteDefinition route) {
        SqlParameterCheck.check(camel, route);
        DeclaredRoute.read(camel, route, resolve -> {
            create(camel, resolve.apply(route.getInput().getEndpointUri()));
            for (ToDefinition to : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                    ToDefinition.class)) {
                create(camel, resolve.apply(to.getEndpointUri()));
            }
            return null;
        });
    }

    private static void create(CamelContext camel, String uri) {
        if (camel.getEndpoint(uri) == null) {
            throw new IllegalArgumentException("no component for endpoint " + uri);
        }
    }
}
