package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.component.sql.SqlEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A third command needs a YAML block, a schema and SQL, read from the filesystem at start: no Java, no build. */
class DeclaredCommandTest {

    @Test
    void aProductsCommandDeclaredInATemporaryDirectoryWorksEndToEnd(@TempDir Path root) throws IOException {
        HubHome home = HubHome.copyOfShipped(root);
        Files.writeString(home.sql().resolve("V900__products.sql"), """
                CREATE TABLE products (product_id text PRIMARY KEY, name text NOT NULL,
                                       price numeric(12,2) NOT NULL, version int NOT NULL);
                """);
        Files.writeString(home.schemas().resolve("product-create.json"), """
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "additionalProperties": false, "required": ["name", "price"],
                 "properties": {"name": {"type": "string", "minLength": 1}, "price": {"type": "number", "minimum": 0}}}
                """);
        Files.writeString(home.routes().resolve("products.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: command
                    routeId: product.create
                    parameters:
                      - { name: method, value: POST }
                      - { name: path, value: /api/products }
                      - { name: schema, value: product-create.json }
                      - { name: aggregate, value: product }
                      - { name: event, value: product.created }
                      - { name: topic, value: products }
                      - { name: resource, value: /api/products }
                      - { name: id, value: new }
                      - name: sql
                        value: >-
                          INSERT INTO products (product_id, name, price, version)
                          VALUES (:#id, :#name, :#price, :#version) RETURNING product_id, name, price
                - templatedRoute:
                    routeTemplateRef: query
                    routeId: product.get
                    parameters:
                      - { name: path, value: "/api/products/{id}" }
                      - { name: single, value: "true" }
                      - { name: sql, value: "SELECT product_id, name, price, version FROM products WHERE product_id = :#id" }
                """);

        try (TestHub hub = TestHub.start(home.settings());
                TopicReader kafka = new TopicReader(hub.brokers(), "products")) {
            Response created = hub.http.post("/api/products", "{\"name\":\"Difference Engine\",\"price\":1822.5}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().get("aggregate_id").asText();
            assertThat(created.header("Location")).isEqualTo("/api/products/" + id);
            assertThat(hub.http.get("/api/products/" + id).json().get("name").asText()).isEqualTo("Difference Engine");
            assertThat(hub.http.post("/api/products", "{\"name\":\"\"}").status()).isEqualTo(400);

            var records = await().atMost(Duration.ofSeconds(20)).until(() -> kafka.recordsFor(id), r -> r.size() == 1);
            assertThat(TopicReader.cloudEvent(records.get(0)).getType()).isEqualTo("product.created");
            // every sql: step knows its parameter count: camel-sql need not ask the server (a round trip) per statement
            assertThat(hub.camel().getEndpoints()).filteredOn(SqlEndpoint.class::isInstance)
                    .map(SqlEndpoint.class::cast).filteredOn(sql -> sql.getQuery().contains(":?")).isNotEmpty()
                    .allSatisfy(sql -> assertThat(sql.getParametersCount()).as(sql.getQuery()).isPositive());
            // the shipped commands still work beside the new one
            assertThat(hub.http.post("/api/customers", "{\"full_name\":\"Ada\",\"email\":\"ada@example.com\"}")
                    .status()).isEqualTo(201);
        }
    }
}
