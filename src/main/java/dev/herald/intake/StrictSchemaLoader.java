package dev.herald.intake;

import com.networknt.schema.SchemaValidatorsConfig;
import org.apache.camel.component.jsonvalidator.DefaultJsonUriSchemaLoader;

/**
 * Command schemas as their authors mean them: {@code "format": "email"} and friends are checked, not just
 * annotations (the JSON Schema 2020-12 default), and every failing field is reported, not just the first.
 */
public final class StrictSchemaLoader extends DefaultJsonUriSchemaLoader {

    public StrictSchemaLoader() {
        config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).failFast(false).build();
    }
}
