package dev.herald.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.org.apache.commons.validator.routines.DomainValidator;
import com.networknt.org.apache.commons.validator.routines.EmailValidator;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.format.EmailFormat;
import dev.herald.command.Command;
import java.io.InputStream;
import java.net.IDN;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jsonvalidator.DefaultJsonUriSchemaLoader;
import org.apache.camel.support.ResourceHelper;

/**
 * Command schemas as their authors mean them: {@code "format": "email"} and friends are checked, not just
 * annotations (the JSON Schema 2020-12 default), and every failing field is reported, not just the first.
 * The email format accepts any syntactically valid domain: networknt's default also requires a TLD from its
 * built-in list, which refuses addresses such as {@code ada@analytical.engine}.
 */
public final class StrictSchemaLoader extends DefaultJsonUriSchemaLoader {

    // the schema each file last had that was accepted: live reload replaces one only with a valid successor
    private final Map<String, JsonSchema> accepted = new ConcurrentHashMap<>();

    public StrictSchemaLoader() {
        config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).failFast(false).build();
    }

    /** The schema accepted for the file: read once, at start (SchemaFiles) or at the first request. */
    @Override
    public JsonSchema createSchema(CamelContext context, String schemaUri) throws Exception {
        JsonSchema schema = accepted.get(schemaUri);
        if (schema == null) {
            schema = read(context, schemaUri);
            accepted.put(schemaUri, schema);
        }
        return schema;
    }

    /** Takes the file's new content under every URI naming it, or throws and keeps the accepted schema. */
    void reread(CamelContext context, Path file) throws Exception {
        Map<String, JsonSchema> fresh = new HashMap<>();
        for (String uri : accepted.keySet()) {
            if (file.equals(fileOf(uri))) {
                fresh.put(uri, read(context, uri));
            }
        }
        accepted.putAll(fresh);
    }

    static Path fileOf(String uri) {
        return Path.of(uri.startsWith("file:") ? uri.substring("file:".length()) : uri).toAbsolutePath().normalize();
    }

    /** As Camel's loader, but with a factory whose meta-schemas carry our email format. */
    private JsonSchema read(CamelContext context, String schemaUri) throws Exception {
        JsonNode node;
        try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(context, schemaUri)) {
            node = mapper.readTree(in);
        }
        VersionFlag version;
        try {
            version = SpecVersionDetector.detect(node);
        } catch (JsonSchemaException noSchemaKeyword) {
            version = defaultVersion;
        }
        URI uri = URI.create(ResourceHelper.hasScheme(schemaUri) ? schemaUri : "classpath:" + schemaUri);
        return factory(version).getSchema(uri, node, config);
    }

    private static JsonSchemaFactory factory(VersionFlag version) {
        JsonMetaSchema standard = JsonSchemaFactory.checkVersion(version).getInstance();
        JsonMetaSchema ours = JsonMetaSchema.builder(standard)
                .format(new EmailFormat(new AnyDomainEmailValidator())).build();
        return JsonSchemaFactory.getInstance(version, builder -> builder.metaSchema(ours));
    }

    /** networknt's (commons-validator's) local-part and address-literal checks; the domain by syntax only. */
    static final class AnyDomainEmailValidator extends EmailValidator {

        private static final long serialVersionUID = 1L;
        // RFC 1035 / 5321 sub-domain: letters, digits, inner hyphens, 1-63 characters
        private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

        AnyDomainEmailValidator() {
            super(true, true, DomainValidator.getInstance(true));
        }

        @Override
        protected boolean isValidDomain(String domain) {
            if (domain.startsWith("[")) { // address literal: [192.0.2.1] or [IPv6:2001:db8::1]
                return super.isValidDomain(domain.replace("IPv6:", ""));
            }
            String ascii;
            try {
                ascii = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED); // internationalized names by their A-labels
            } catch (IllegalArgumentException notAName) {
                return false;
            }
            if (ascii.isEmpty() || ascii.length() > 253) {
                return false;
            }
            for (String label : ascii.split("\\.", -1)) {
                if (!LABEL.matcher(label).matches()) {
                    return false;
                }
            }
            return true;
        }
    }
}
