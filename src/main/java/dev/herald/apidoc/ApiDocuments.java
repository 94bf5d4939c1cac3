package dev.herald.apidoc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.cdc.CdcSources;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;

/**
 * The hub's OpenAPI and AsyncAPI documents, built from the routes loaded in the CamelContext when first asked and
 * again after the routes changed (a live reload replaces route definitions), so a route added in YAML appears, and
 * the AsyncAPI document after the RabbitMQ consumers changed.
 */
public final class ApiDocuments {

    private final String publicUrl;
    private final EventSide events;
    private final String version;
    private final Object routeChanges;
    private List<RouteDefinition> builtFrom = List.of();
    private JsonNode openApi;
    private JsonNode asyncApi;
    private Object asyncApiConsumers;

    /**
     * {@code publicUrl}: herald.public-url, the server the document names (empty: relative to the document);
     * {@code routeChanges}: the lock live reload holds while it changes routes (reading a route's declaration sets
     * its template parameters on the shared properties, as creating one does).
     */
    public ApiDocuments(String publicUrl, EventSide events, Object routeChanges) {
        this.publicUrl = publicUrl;
        this.events = events;
        this.routeChanges = routeChanges;
        String implementation = ApiDocuments.class.getPackage().getImplementationVersion();
        this.version = implementation != null ? implementation : "development";
    }

    public JsonNode openApi(CamelContext camel) {
        synchronized (routeChanges) {
            refreshIfRoutesChanged(camel);
            if (openApi == null) {
                openApi = OpenApiDocument.of(camel, HttpOperations.in(camel), publicUrl, version);
            }
            return openApi;
        }
    }

    public JsonNode asyncApi(CamelContext camel) {
        synchronized (routeChanges) {
            refreshIfRoutesChanged(camel);
            // a live reload of the RabbitMQ consumers file gives the bridge new declarations
            Object consumers = events.rabbit().map(EventSide.Rabbit::declared).orElse(null);
            if (asyncApi == null || consumers != asyncApiConsumers) {
                asyncApiConsumers = consumers;
                asyncApi = AsyncApiDocument.of(events, HttpOperations.in(camel),
                        AsyncApiDocument.capturedEvents(CdcSources.declared(camel)), HttpOperations.inputs(camel),
                        version);
            }
            return asyncApi;
        }
    }

    /** The same route definitions, by identity, as when the documents were built: else they are built again. */
    private void refreshIfRoutesChanged(CamelContext camel) {
        List<RouteDefinition> now = new ArrayList<>(camel.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinitions());
        boolean same = now.size() == builtFrom.size();
        for (int i = 0; same && i < now.size(); i++) {
            same = now.get(i) == builtFrom.get(i);
        }
        if (!same) {
            builtFrom = now;
            openApi = null;
            asyncApi = null;
        }
    }
}
