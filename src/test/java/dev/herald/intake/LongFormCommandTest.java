package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command written out as steps, without the template: two SQL statements and a read in the lane's
 * transaction, the event shaped by jq into a thin notification. The steps commit or fail together with the event.
 */
class LongFormCommandTest {

    static final String ROUTE = """
            - route:
                id: product.create
                routeConfigurationId: problems
                from:
                  uri: platform-http:/api/products
                  parameters: { httpMethodRestrict: POST }
                  steps:
                    - process: { ref: jsonRequest }
                    - unmarshal:
                        json: { library: Jackson, unmarshalType: com.fasterxml.jackson.databind.JsonNode, objectMapper: "#strictJson" }
                    - to: "json-validator:file:{{herald.schemas.dir}}/product-create.json?uriSchemaLoader=#schemaLoader"
                    - to: "herald:command?aggregate=product&event=product.created&topic=products&resource=/api/products&id=new"
                    - removeHeaders: { pattern: "*", excludePattern: "Camel*" }
                    - policy:
                        ref: groupCommit
                        steps:
                          - to: "sql:INSERT INTO products (product_id, name, price, version) VALUES (:#id, :#name, :#price, :#version)"
                          - to: "sql:INSERT INTO price_history (product_id, price) VALUES (:#id, :#price)"
                          - to: "sql:SELECT product_id, name FROM products WHERE product_id = :#id"
                          - transform:
                              jq: '.[0] | {product_id, name, api_url: ("/api/products/" + .product_id)}'
                    - process: { ref: commandAnswer }
            """;

    @Test
    void twoStatementsAndTheEventCommitTogetherAndTheEventIsShaped(@TempDir java.nio.file.Path root) throws Exception {
        HubHome home = HubHome.copyOfShipped(root)
                .write("sql/V900__products.sql", """
                        CREATE TABLE products (product_id text PRIMARY KEY, name text NOT NULL, price numeric NOT NULL,
                                               version int NOT NULL);
                        CREATE TABLE price_history (product_id text NOT NULL, price numeric NOT NULL CHECK (price < 1000));
                        """)
                .write("schemas/product-create.json", """
                        {"type": "object", "required": ["name", "price"], "additionalProperties": false,
                         "properties": {"name": {"type": "string"}, "price": {"type": "number"}}}
                        """)
                .write("schemas/events/product.created/1.json", """
                        {"type": "object", "required": ["product_id", "name", "api_url"], "additionalProperties": false,
                         "properties": {"product_id": {"type": "string"}, "name": {"type": "string"},
                                        "api_url": {"type": "string"}}}
                        """)
                .write("routes/products.camel.yaml", ROUTE);
        try (TestHub hub = TestHub.start(home.settings());
                TopicReader kafka = new TopicReader(hub.brokers(), "products")) {
            Response created = hub.http.post("/api/products", "{\"name\":\"Analytical Engine\",\"price\":99.5}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().get("aggregate_id").asText();
            assertThat(hub.queryLong("SELECT count(*) FROM price_history WHERE product_id = ?", id)).isEqualTo(1);
            var records = await().atMost(Duration.ofSeconds(20)).until(() -> kafka.recordsFor(id), r -> r.size() == 1);
            JsonNode data = new ObjectMapper().readTree(TopicReader.cloudEvent(records.get(0)).getData().toBytes());
            assertThat(data.get("api_url").asText()).isEqualTo("/api/products/" + id);
            assertThat(data.get("name").asText()).isEqualTo("Analytical Engine");
            assertThat(data.has("price")).as("the notification carries no state beyond its fields").isFalse();

            // the second statement fails (its CHECK): the first one's row, the event and the command are not kept
            long events = hub.count("events");
            Response refused = hub.http.post("/api/products", "{\"name\":\"Too Dear\",\"price\":5000}");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
            assertThat(refused.json().get("type").asText()).endsWith("constraint-violation");
            assertThat(hub.queryLong("SELECT count(*) FROM products WHERE name = 'Too Dear'")).isZero();
            assertThat(hub.count("events")).isEqualTo(events);
            assertThat(hub.queryLong("SELECT count(*) FROM commands WHERE command_type = 'product.create'"))
                    .isEqualTo(1);
        }
    }
}
