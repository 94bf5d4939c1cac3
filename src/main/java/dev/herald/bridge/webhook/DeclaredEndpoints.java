package dev.herald.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.herald.http.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Static endpoints from herald.webhooks.endpoints-file, declared at start: each entry is what POST
 * /api/webhooks/endpoints takes (checked against the same schema) plus a {@code name}, which fixes the id,
 * and the {@code secret} the receiver was given. Endpoints the file no longer lists are removed.
 */
final class DeclaredEndpoints {

    private static final Pattern SECRET = Pattern.compile("whsec_[A-Za-z0-9+/]{32,}={0,2}");

    private final DataSource dataSource;
    private final EndpointChecks checks;
    private final SecretCipher secrets;
    private final Path schema;

    DeclaredEndpoints(DataSource dataSource, EndpointChecks checks, SecretCipher secrets, Path schema) {
        this.dataSource = dataSource;
        this.checks = checks;
        this.secrets = secrets;
        this.schema = schema;
    }

    void declare(Path file) throws SQLException {
        JsonNode declared;
        JsonSchema check;
        try (InputStream schemaText = Files.newInputStream(schema)) {
            declared = new YAMLMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
            check = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaText);
        } catch (IOException e) {
            throw new IllegalStateException("herald.webhooks.endpoints-file " + file + " could not be read: " + e, e);
        }
        List<UUID> ids = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            for (JsonNode entry : declared.path("endpoints")) {
                String name = entry.path("name").asText("");
                String secret = entry.path("secret").asText("");
                String where = file + ", endpoint '" + name + "': ";
                if (name.isEmpty() || !SECRET.matcher(secret).matches()) {
                    throw new IllegalStateException(where + "needs a name and a secret (whsec_ + base64)");
                }
                ObjectNode body = ((ObjectNode) entry.deepCopy()).without(List.of("name", "secret"));
                Set<ValidationMessage> errors = check.validate(body);
                if (!errors.isEmpty()) {
                    throw new IllegalStateException(where + errors);
                }
                UUID id = UUID.nameUUIDFromBytes(("herald-webhook:" + name).getBytes(StandardCharsets.UTF_8));
                try {
                    EndpointRows.upsert(connection, id, checks.allowedUrl(body.get("url").asText()), body,
                            EndpointChecks.headers(body.path("headers")),
                            EndpointRows.sealedForStorage(connection, secrets, id, secret), "yaml");
                } catch (Problem refused) {
                    throw new IllegalStateException(where + refused.getMessage(), refused);
                }
                ids.add(id);
            }
            try (PreparedStatement removed = connection.prepareStatement(
                    "DELETE FROM webhook_endpoints WHERE declared_in = 'yaml' AND id <> ALL (?)")) {
                removed.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
                removed.executeUpdate();
            }
            connection.commit();
        }
    }
}
