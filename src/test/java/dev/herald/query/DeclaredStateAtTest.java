package dev.herald.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ?as_of= on an aggregate declared in YAML only (docs/commands.md, "State at a time"): the products command of
 * HubHome, a rename command, its read with stateAt, and its state-at route with a fold of its own (a route of
 * jq, instead of the default merge): no Java, no build.
 */
class DeclaredStateAtTest {

    @Test
    void aDeclaredAggregateWithAFoldOfItsOwn(@TempDir Path root) {
        HubHome home = HubHome.copyOfShipped(root).withProducts("products")
                .withProductGet("- { name: stateAt, value: product }")   // ?as_of= goes to product.state-at
                .write("schemas/product-rename.json", """
                        {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                         "additionalProperties": false, "required": ["name"],
                         "properties": {"name": {"type": "string", "minLength": 1}}}
                        """)
                .write("routes/product-history.camel.yaml", """
                        - templatedRoute:
                            routeTemplateRef: command
                            routeId: product.rename
                            parameters:
                              - { name: method, value: PUT }
                              - { name: path, value: "/api/products/{id}" }
                              - { name: schema, value: product-rename.json }
                              - { name: aggregate, value: product }
                              - { name: event, value: product.renamed }
                              - { name: topic, value: products }
                              - { name: resource, value: /api/products }
                              - name: sql
                                value: >-
                                  UPDATE products SET name = :#name, version = :#version WHERE product_id = :#id
                                  RETURNING name
                        - templatedRoute:
                            routeTemplateRef: state-at
                            routeId: product.state-at
                            parameters:
                              - { name: aggregate, value: product }
                              - { name: fold, value: "direct:product-names" }
                        # every name the product had up to as_of, the last one first
                        - route:
                            id: product-names
                            from:
                              uri: direct:product-names
                              steps:
                                - transform:
                                    jq: >-
                                      if length == 0 then [] else
                                      {names: (map(.data.name) | reverse), version: last.version, as_of: last.as_of} end
                        - templatedRoute:
                            routeTemplateRef: event-stream
                            routeId: product.events
                            parameters:
                              - { name: path, value: "/api/products/{id}/events" }
                              - { name: aggregate, value: product }
                        """);

        try (TestHub hub = TestHub.start(home.settings())) {
            Response created = hub.http.post("/api/products", "{\"name\":\"Difference Engine\",\"price\":1822.5}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().get("aggregate_id").asText();
            Response renamed = hub.http.put("/api/products/" + id, "{\"name\":\"Analytical Engine\"}");
            assertThat(renamed.status()).as(renamed.toString()).isEqualTo(201);
            JsonNode events = hub.http.get("/api/products/" + id + "/events").json().get("events");
            String first = events.get(0).at("/event/time").asText();
            String second = events.get(1).at("/event/time").asText();

            Response then = hub.http.get("/api/products/" + id + "?as_of=" + first);
            assertThat(then.status()).as(then.toString()).isEqualTo(200);
            assertThat(then.header("ETag")).isEqualTo("\"1\"");
            assertThat(then.json().get("names").toString()).isEqualTo("[\"Difference Engine\"]");
            Response now = hub.http.get("/api/products/" + id + "?as_of=" + second);
            assertThat(now.header("ETag")).isEqualTo("\"2\"");
            assertThat(now.json().get("names").toString()).isEqualTo("[\"Analytical Engine\",\"Difference Engine\"]");
            assertThat(hub.http.get("/api/products/" + id + "?as_of=2000-01-01T00:00:00Z").status()).isEqualTo(404);
            assertThat(hub.http.get("/api/products/" + id + "?as_of=later").json().get("parameter").asText())
                    .isEqualTo("as_of");
            assertThat(hub.http.get("/api/products/" + id).json().get("name").asText()).isEqualTo("Analytical Engine");
        }
    }
}
