package dev.herald.apidoc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /api/openapi.json of a running hub whose routes directory declares one more command than the shipped ones
 * (products, a templatedRoute in YAML only): an independent validator (swagger-parser) finds no error, and the
 * document describes the shipped operations and the declared one with its JSON Schema.
 */
class OpenApiDocumentTest {

    @TempDir
    static Path root;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        HubHome home = HubHome.copyOfShipped(root).withProducts("products-openapi-" + System.nanoTime())
                .withProductGet();
        hub = TestHub.start(new HashMap<>(home.settings()));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void anIndependentValidatorFindsNoErrorInTheDocument() throws Exception {
        Response document = hub.http.get("/api/openapi.json");
        assertThat(document.status()).as(document.toString()).isEqualTo(200);
        java.nio.file.Files.writeString(Path.of("target/openapi-sample.json"), document.body());
        assertThat(document.header("Content-Type")).startsWith("application/json");
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIParser().readContents(document.body(), null, options);
        assertThat(parsed.getMessages()).as(document.body()).isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(parsed.getOpenAPI().getPaths()).containsKeys("/api/customers", "/api/customers/{id}",
                "/api/orders/{id}/cancel", "/api/dead-letters", "/api/webhooks/endpoints", "/api/keys",
                "/api/projections/{name}/rebuild", "/api/schemas/{type}/{version}", "/observe/health");

        // the validator does see errors: the same document with an operation's parameter broken
        String broken = document.body().replaceFirst("\"in\" : \"path\"", "\"in\" : \"nowhere\"");
        assertThat(broken).isNotEqualTo(document.body());
        assertThat(new OpenAPIParser().readContents(broken, null, options).getMessages()).isNotEmpty();

        Response yaml = hub.http.get("/api/openapi.yaml");
        assertThat(yaml.status()).isEqualTo(200);
        SwaggerParseResult fromYaml = new OpenAPIParser().readContents(yaml.body(), null, options);
        assertThat(fromYaml.getMessages()).isEmpty();
        assertThat(fromYaml.getOpenAPI().getPaths().keySet()).isEqualTo(parsed.getOpenAPI().getPaths().keySet());
    }

    @Test
    void aCommandReadsAsItsDeclaration() {
        JsonNode document = hub.http.get("/api/openapi.json").json();
        JsonNode create = command(document, "/api/customers", "customer.create", "customer-create");
        assertThat(document.at("/components/schemas/customer-create/required").toString())
                .isEqualTo("[\"full_name\",\"email\"]");
        assertThat(create.at("/responses/201/headers").has("Location")).isTrue();
        assertThat(create.at("/responses/201/headers").has("ETag")).isTrue();
        assertThat(create.at("/responses/202/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/CommandAnswer");
        assertThat(create.at("/responses/400/x-problem-types").toString()).contains("schema-violation",
                "malformed-json");
        assertThat(create.at("/responses/412/x-problem-types").toString()).contains("version-mismatch");
        assertThat(create.at("/responses/415/content").has("application/problem+json")).isTrue();
        assertThat(refs(create.get("parameters"))).contains("#/components/parameters/IdempotencyKey",
                "#/components/parameters/IfMatch");
        assertThat(create.at("/security/0/apiKey/0").asText()).isEqualTo("commands");

        JsonNode events = document.at("/paths/~1api~1customers~1{id}~1events/get");
        assertThat(parameter(events, "from_version").at("/schema/type").asText()).isEqualTo("integer");
        assertThat(parameter(events, "until").at("/schema/format").asText()).isEqualTo("date-time");
        assertThat(parameter(events, "id").get("in").asText()).isEqualTo("path");
        JsonNode get = document.at("/paths/~1api~1customers~1{id}/get");
        assertThat(parameter(get, "as_of").at("/schema/format").asText()).isEqualTo("date-time");
        assertThat(get.at("/responses/200/headers").has("ETag")).isTrue();
        assertThat(get.at("/responses/404/x-problem-types").toString()).contains("not-found");
        assertThat(parameter(document.at("/paths/~1api~1customers/get"), "limit").at("/schema/type").asText())
                .isEqualTo("integer");
        assertThat(parameter(document.at("/paths/~1api~1dead-letters/get"), "stage")).isNotNull();
        assertThat(document.at("/paths/~1api~1dead-letters/get/security/0/apiKey/0").asText()).isEqualTo("admin");
        assertThat(document.at("/components/securitySchemes/apiKey/scheme").asText()).isEqualTo("bearer");
    }

    @Test
    void aCommandDeclaredInYamlOnlyAppearsWithItsSchema() {
        JsonNode document = hub.http.get("/api/openapi.json").json();
        assertThat(document.at("/paths/~1api~1products~1{id}/get/operationId").asText()).isEqualTo("product.get");
        assertThat(command(document, "/api/products", "product.create", "product-create")
                .at("/responses/201/description").asText()).contains("product.created");
        assertThat(document.at("/components/schemas/product-create/properties/price/type").asText())
                .isEqualTo("number");
    }

    @Test
    void aPageShowsTheDocumentFromFilesInTheHubsJar() {
        Response page = hub.http.get("/api/docs");
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("SwaggerUIBundle(", "url: \"openapi.json\"", "docs/swagger-ui-bundle.js")
                .doesNotContain("https://");
        for (String file : List.of("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css")) {
            Response served = hub.http.get("/api/docs/" + file);
            assertThat(served.status()).as(file).isEqualTo(200);
            assertThat(served.body().length()).as(file).isGreaterThan(1000);
        }
        assertThat(hub.http.get("/api/docs/swagger-ui-bundle.js").body()).contains("SwaggerUIBundle");
        Response missing = hub.http.get("/api/docs/secrets.txt");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
        // the page is described as what it is, the files under it are not operations
        JsonNode document = hub.http.get("/api/openapi.json").json();
        assertThat(document.at("/paths/~1api~1docs/get/responses/200/content").has("text/html")).isTrue();
        assertThat(document.get("paths").has("/api/docs/*")).isFalse();
    }

    /** The POST at {@code path}: the route's id, its body the named schema. */
    private static JsonNode command(JsonNode document, String path, String routeId, String schema) {
        JsonNode post = document.get("paths").get(path).get("post");
        assertThat(post.get("operationId").asText()).isEqualTo(routeId);
        assertThat(post.at("/requestBody/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/" + schema);
        return post;
    }

    private static JsonNode parameter(JsonNode operation, String name) {
        for (JsonNode parameter : operation.path("parameters")) {
            if (name.equals(parameter.path("name").asText())) {
                return parameter;
            }
        }
        throw new AssertionError("no parameter " + name + " in " + operation);
    }

    private static List<String> refs(JsonNode parameters) {
        List<String> refs = new ArrayList<>();
        parameters.forEach(p -> refs.add(p.path("$ref").asText()));
        return refs;
    }

}
