package dev.herald.intake;

import dev.herald.contract.registry.RegistryPublishing;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jsonvalidator.JsonValidatorEndpoint;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.ResourceReload;

/**
 * Live reload of a changed JSON Schema file: the commands' SQL parameters are checked against it as at start, then
 * every {@code json-validator:} step on it takes it at its next request. A refused file throws (Camel's watcher logs
 * it, naming the file) and the steps keep the schema they had. An accepted change asks for another run of publishing
 * the event schemas to the Confluent-compatible registry, when one is set (routes/schemas.camel.yaml); the event
 * schemas themselves are those read at start (a changed {@code events/<type>/<n>.json} applies at the next start).
 */
public final class SchemaReload implements ResourceReload {

    private final CamelContext camel;
    // shared with the route watcher: the check reads routes with their template parameters set on the properties
    private final Object oneChangeAtATime;

    public SchemaReload(CamelContext camel, Object oneChangeAtATime) {
        this.camel = camel;
        this.oneChangeAtATime = oneChangeAtATime;
    }

    @Override
    public void onReload(String name, Resource resource) throws Exception {
        Path file = Path.of(resource.getURI()).toAbsolutePath().normalize();
        synchronized (oneChangeAtATime) {
            try {
                SqlParameterCheck.check(camel);
                for (StrictSchemaLoader loader : camel.getRegistry().findByType(StrictSchemaLoader.class)) {
                    loader.reread(camel, file);
                }
            } catch (Exception e) {
                throw new IllegalArgumentException("JSON Schema " + name + " refused, the previous one keeps "
                        + "serving: " + e.getMessage(), e);
            }
            camel.getEndpoints().stream().filter(JsonValidatorEndpoint.class::isInstance)
                    .map(JsonValidatorEndpoint.class::cast)
                    .filter(step -> file.equals(StrictSchemaLoader.fileOf(step.getResourceUri())))
                    .forEach(JsonValidatorEndpoint::clearContentCache);
            // accepted: the event schemas again at the Confluent registry, when one is set (a run in the background,
            // routes/schemas.camel.yaml; what the registry holds already it answers with the same id)
            camel.getRegistry().findByType(RegistryPublishing.class)
                    .forEach(publishing -> publishing.publishAgain(camel));
        }
    }
}
