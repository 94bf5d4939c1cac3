package dev.herald;

import static dev.herald.testing.LiveReloads.RELOADED;
import static dev.herald.testing.LiveReloads.refused;
import static dev.herald.testing.LiveReloads.save;
import static dev.herald.testing.LiveReloads.watcherOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * herald.dev.reload on a real hub: a new route file and a changed schema answer over HTTP without a restart; a file
 * failing the start-up checks is refused, naming file and field, and the routes and schema it would have replaced
 * keep serving. A broken bridge declaration is refused too (RabbitBridgeReloadTest applies valid ones on a broker).
 */
class LiveReloadTest {

    private static final String SCHEMA_WITH_SKU = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "additionalProperties": false, "required": ["name", "price", "sku"],
             "properties": {"name": {"type": "string"}, "price": {"type": "number"}, "sku": {"type": "string"}}}
            """;

    // product.create written out with a single step
    private static final String ONE_STEP = """
            - route:
                id: product.create
                from:
                  uri: "platform-http:/api/products?httpMethodRestrict=POST"
                  steps: [ { %s } ]
            """;

    @Test
    void changesApplyInPlaceAndAFileFailingTheChecksIsRefused(@TempDir Path temp) throws Exception {
        // relative to the working directory, as the shipped settings are (herald.routes.dir = routes)
        Path root = Path.of("").toAbsolutePath().relativize(temp);
        HubHome home = HubHome.copyOfShipped(root).withProducts("products");
        Map<String, String> settings = new HashMap<>(home.settings());
        settings.put("herald.dev.reload", "true");
        Path consumers = Files.createDirectories(root.resolve("bridges")).resolve("rabbitmq.yaml");
        Files.copy(Path.of("bridges/rabbitmq.yaml"), consumers);
        settings.put("herald.rabbitmq.consumers-file", consumers.toString());
        try (TestHub hub = TestHub.start(settings)) {
            FileWatcherResourceReloadStrategy routes = hub.camel().hasService(RouteReload.class);
            FileWatcherResourceReloadStrategy schemas = watcherOf(hub, home.schemas());

            // (1) a new route file: the read answers once it is loaded
            Response created = hub.http.post("/api/products", "{\"name\":\"Gear\",\"price\":1}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().get("aggregate_id").asText();
            assertThat(hub.http.get("/api/products/" + id).status()).isEqualTo(404);
            assertThat(hub.http.get("/api/openapi.json").json().get("paths").has("/api/products/{id}")).isFalse();
            save(home.routes().resolve("product-reads.camel.yaml"), HubHome.PRODUCT_READS);
            await().atMost(RELOADED).until(() -> hub.http.get("/api/products/" + id).status() == 200);
            assertThat(hub.http.get("/api/products/" + id).json().get("name").asText()).isEqualTo("Gear");
            // the OpenAPI document built before is built again with the new route
            assertThat(hub.http.get("/api/openapi.json").json().at("/paths/~1api~1products~1{id}/get/operationId")
                    .asText()).isEqualTo("product.get");

            // (2) a schema now requiring sku: the body that passed gets 400 at the next request
            save(home.schemas().resolve("product-create.json"), SCHEMA_WITH_SKU);
            await().atMost(RELOADED).until(() -> hub.http.post("/api/products", "{\"name\":\"Cog\",\"price\":2}")
                    .status() == 400);
            assertServes(hub);

            // (3) files failing the checks: refused, naming file and field; the previous version keeps serving
            refused(routes, home.routes().resolve("products.camel.yaml"),
                    HubHome.productCommand("products", "product-create.json", ":#nmae"), "products.camel.yaml",
                    ":#nmae");
            assertServes(hub);
            refused(routes, home.routes().resolve("products.camel.yaml"), ONE_STEP.formatted(
                    "to: 'herald:command?agregate=product&event=product.created&topic=products&resource=/p'"),
                    "products.camel.yaml", "agregate");
            assertServes(hub);
            refused(routes, home.routes().resolve("products.camel.yaml"), "- route: { id: [unclosed\n",
                    "products.camel.yaml", "products.camel.yaml");
            assertServes(hub);
            // past the checks, failing only as Camel creates it: taken out, the previous route added back
            refused(routes, home.routes().resolve("products.camel.yaml"),
                    ONE_STEP.formatted("process: { ref: jsonRequst }"), "products.camel.yaml",
                    "[product.create] keep serving", "jsonRequst");
            assertServes(hub);
            refused(schemas, home.schemas().resolve("product-create.json"), "{\"type\": \"object\",",
                    "product-create.json", "product-create.json");
            assertServes(hub);
            assertThat(hub.http.get("/api/products/" + id).status()).isEqualTo(200);

            // (4) the bridge is off in this hub, so its declarations are only read: a broken edit is refused
            refused(watcherOf(hub, consumers.getParent()), consumers,
                    "consumers:\n  - { name: billing, qeue: billing.events, format: cloudevents }\n",
                    "rabbitmq.yaml", "qeue");
        }
    }

    /** The sku schema and the product.create route, as loaded before the refusals. */
    private static void assertServes(TestHub hub) {
        Response withSku = hub.http.post("/api/products", "{\"name\":\"Cog\",\"price\":2,\"sku\":\"c-1\"}");
        assertThat(withSku.status()).as(withSku.toString()).isEqualTo(201);
        assertThat(hub.http.post("/api/products", "{\"name\":\"Cog\",\"price\":2}").status()).isEqualTo(400);
    }
}
