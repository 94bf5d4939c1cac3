package dev.herald.intake;

import org.apache.camel.CamelContext;
import org.apache.camel.component.jsonvalidator.JsonValidatorEndpoint;

/**
 * A {@code json-validator:} step whose schema file is missing or not JSON stops the start (or refuses a live
 * reload), naming the file (Camel names the route): camel-json-validator reads its schema at the first request, so
 * a typo would otherwise surface as a 500. Read here through the step's own loader, which keeps it.
 */
public final class SchemaFiles {

    private SchemaFiles() {
    }

    public static void checkAtStart(CamelContext camel) {
        camel.getCamelContextExtension().registerEndpointCallback((uri, endpoint) -> {
            if (endpoint instanceof JsonValidatorEndpoint validator) {
                String schema = validator.getResourceUri();
                try {
                    validator.getUriSchemaLoader().createSchema(camel, schema);
                    return endpoint;
                } catch (Exception e) {
                    throw new IllegalArgumentException("JSON Schema " + schema + " cannot be read: " + e.getMessage(),
                            e);
                }
            }
            return endpoint;
        });
    }
}
