package dev.herald.intake;

import java.io.IOException;
import java.io.InputStream;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jsonvalidator.JsonValidatorEndpoint;
import org.apache.camel.support.ResourceHelper;

/**
 * A {@code json-validator:} step whose schema file is missing stops the start, naming the file (Camel names the
 * route): camel-json-validator reads its schema at the first request, so a typo would otherwise surface as a 500.
 */
public final class SchemaFiles {

    private SchemaFiles() {
    }

    public static void checkAtStart(CamelContext camel) {
        camel.getCamelContextExtension().registerEndpointCallback((uri, endpoint) -> {
            if (endpoint instanceof JsonValidatorEndpoint validator) {
                String schema = validator.getResourceUri();
                try (InputStream ignored = ResourceHelper.resolveMandatoryResourceAsInputStream(camel, schema)) {
                    return endpoint;
                } catch (IOException e) {
                    throw new IllegalArgumentException("JSON Schema " + schema + " cannot be read: " + e.getMessage(),
                            e);
                }
            }
            return endpoint;
        });
    }
}
