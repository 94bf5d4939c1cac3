package dev.herald.intake;

import java.nio.file.Path;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jsonvalidator.JsonValidatorEndpoint;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.ResourceReload;

/**
 * Live reload of a changed JSON Schema file: the commands' SQL parameters are checked against it as at start, then
 * every {@code json-validator:} step on it takes it at its next request. A refused file throws (Camel's watcher logs
 * it, naming the file) and the steps keep the schema they had.
 */
public final class SchemaReload implements ResourceReload {

    private final CamelContext camel;

    public SchemaReload(CamelContext camel) {
        this.camel = camel;
    }

    @Override
    public void onReload(String name, Resource resource) throws Exception {
        Path file = Path.of(resource.getURI()).toAbsolutePath().normalize();
        List<JsonValidatorEndpoint> steps = camel.getEndpoints().stream()
                .filter(JsonValidatorEndpoint.class::isInstance).map(JsonValidatorEndpoint.class::cast)
                .filter(step -> file.equals(pathOf(step.getResourceUri()))).toList();
        try {
            SqlParameterCheck.check(camel);
            for (JsonValidatorEndpoint step : steps) {
                if (step.getUriSchemaLoader() instanceof StrictSchemaLoader loader) {
                    loader.reread(camel, step.getResourceUri());
                }
            }
        } catch (Exception e) {
            throw new IllegalArgumentException("JSON Schema " + name + " refused, the previous one keeps serving: "
                    + e.getMessage(), e);
        }
        steps.forEach(JsonValidatorEndpoint::clearContentCache);
    }

    private static Path pathOf(String uri) {
        return Path.of(uri.startsWith("file:") ? uri.substring("file:".length()) : uri).toAbsolutePath().normalize();
    }
}
