package dev.herald.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * The official AsyncAPI 3.0.0 JSON Schema (vendored in src/test/resources/asyncapi, see its README), for the tests
 * that check a hub's /api/asyncapi.json is a valid AsyncAPI document.
 */
public final class AsyncApiSchema {

    private static final JsonSchema SCHEMA = read();

    private AsyncApiSchema() {
    }

    /** What the document breaks of AsyncAPI 3.0.0; empty when it is valid. */
    public static Set<ValidationMessage> errors(JsonNode document) {
        return SCHEMA.validate(document);
    }

    private static JsonSchema read() {
        try (InputStream in = AsyncApiSchema.class.getResourceAsStream("/asyncapi/3.0.0.json")) {
            return JsonSchemaFactory.getInstance(VersionFlag.V7).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
