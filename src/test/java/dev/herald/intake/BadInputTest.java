package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.SharedHub;
import dev.herald.testing.TestHub;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every class of bad input gets problem+json with the right status, and nothing is written for it. */
class BadInputTest {

    private static TestHub hub;

    @BeforeAll
    static void start() {
        hub = SharedHub.get();
    }

    @Test
    void malformedJsonIs400() {
        JsonNode problem = refused(400, () -> hub.http.post("/api/customers", "{\"full_name\": \"Ada\""));
        assertThat(problem.get("type").asText()).isEqualTo("urn:herald:problem:malformed-json");
        refused(400, () -> hub.http.post("/api/customers", "[1,2]"));
        refused(400, () -> hub.http.post("/api/customers", "{\"full_name\":\"a\",\"full_name\":\"b\",\"email\":\"a@example.com\"}"));
        refused(400, () -> hub.http.post("/api/customers", "{\"full_name\":\"a\",\"email\":\"a@example.com\"} trailing"));
        refused(400, () -> hub.http.raw("POST", "/api/customers",
                new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
                "Content-Type", "application/json"));
        refused(400, () -> hub.http.post("/api/customers", "[".repeat(5000)));
    }

    @Test
    void schemaViolationIs400WithEachFailingField() {
        JsonNode problem = refused(400, () -> hub.http.post("/api/customers",
                "{\"full_name\": 42, \"email\": \"not-an-email\", \"shoe_size\": 44}"));
        assertThat(problem.get("type").asText()).isEqualTo("urn:herald:problem:schema-violation");
        assertThat(problem.get("errors").findValuesAsText("pointer"))
                .contains("/full_name", "/email");
        assertThat(problem.get("errors").toString()).contains("shoe_size");

        JsonNode missing = refused(400, () -> hub.http.post("/api/customers", "{}"));
        assertThat(missing.get("errors").toString()).contains("full_name", "email");

        refused(400, () -> hub.http.post("/api/orders", "{\"customer_id\":\"c\",\"items\":[{\"product_id\":\"p\","
                + "\"quantity\":1e400,\"unit_price\":1}]}"));
        refused(400, () -> hub.http.post("/api/orders", "{\"customer_id\":\"c\",\"items\":[]}"));
        refused(400, () -> hub.http.post("/api/customers", "{\"full_name\":\"" + "x".repeat(5000)
                + "\",\"email\":\"a@example.com\"}"));
    }

    @Test
    void wrongMediaTypeIs415() {
        refused(415, () -> hub.http.raw("POST", "/api/customers",
                "{\"full_name\":\"Ada\",\"email\":\"ada@example.com\"}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "text/plain"));
        refused(415, () -> hub.http.raw("POST", "/api/customers",
                "{\"full_name\":\"Ada\",\"email\":\"ada@example.com\"}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void bodyOverTheLimitIs413() {
        String huge = "{\"full_name\":\"" + "x".repeat(2 * 1024 * 1024) + "\",\"email\":\"a@example.com\"}";
        refused(413, () -> hub.http.post("/api/customers", huge));
    }

    @Test
    void unknownResourcesAre404() {
        refused(404, () -> hub.http.get("/api/nothing-here"));
        refused(404, () -> hub.http.get("/api/customers/does-not-exist"));
        refused(404, () -> hub.http.get("/api/customers/does-not-exist/events"));
        refused(404, () -> hub.http.put("/api/customers/does-not-exist", "{\"email\":\"a@example.com\"}"));
        refused(404, () -> hub.http.delete("/api/customers/' OR 1=1 --".replace(" ", "%20").replace("'", "%27")));
        refused(404, () -> hub.http.post("/api/orders/nope/cancel", "{\"reason\":\"r\"}"));
    }

    @Test
    void conflictsAre409And422() {
        Response customer = hub.http.post("/api/customers", "{\"full_name\":\"Ref\",\"email\":\"ref@example.com\"}");
        String id = customer.json().get("aggregate_id").asText();
        hub.http.post("/api/orders", "{\"customer_id\":\"" + id + "\",\"items\":[{\"product_id\":\"p\",\"quantity\":1,"
                + "\"unit_price\":1}]}");
        JsonNode stillReferenced = refused(409, () -> hub.http.delete("/api/customers/" + id));
        assertThat(stillReferenced.get("type").asText()).isEqualTo("urn:herald:problem:still-referenced");
        assertThat(stillReferenced.get("detail").asText())
                .isEqualTo("customer " + id + " is still referenced by orders");
        JsonNode unknownCustomer = refused(422, () -> hub.http.post("/api/orders",
                "{\"customer_id\":\"nobody\",\"items\":[{\"product_id\":\"p\",\"quantity\":1,\"unit_price\":1}]}"));
        assertThat(unknownCustomer.get("type").asText()).isEqualTo("urn:herald:problem:unknown-reference");
        assertThat(unknownCustomer.get("detail").asText()).isEqualTo("customer nobody does not exist");
        refused(400, () -> hub.http.put("/api/customers/" + id, "{\"email\":\"a@example.com\"}", "If-Match", "bogus"));
        refused(400, () -> hub.http.get("/api/customers?limit=abc"));
    }

    @Test
    void aRequestHeaderNeverBecomesASqlParameter() {
        Response customer = hub.http.post("/api/customers", "{\"full_name\":\"Ada\",\"email\":\"ada@example.com\"}");
        String id = customer.json().get("aggregate_id").asText();
        // customer.update binds :#full_name; the body leaves it out, a header named like it must not fill it
        Response updated = hub.http.put("/api/customers/" + id, "{\"email\":\"ada@analytical.engine\"}",
                "full_name", "Mallory");
        assertThat(updated.status()).as(updated.toString()).isEqualTo(201);
        JsonNode state = hub.http.get("/api/customers/" + id).json();
        assertThat(state.get("full_name").asText()).isEqualTo("Ada");
        assertThat(state.get("email").asText()).isEqualTo("ada@analytical.engine");
    }

    /** Sends a bad request and checks the answer and that no command, event or state row appeared. */
    private static JsonNode refused(int status, Supplier<Response> request) {
        long events = hub.count("events");
        long commands = hub.count("commands");
        long customers = hub.count("customers");
        long orders = hub.count("orders");
        Response response = request.get();
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
        assertThat(hub.count("events")).isEqualTo(events);
        assertThat(hub.count("commands")).isEqualTo(commands);
        assertThat(hub.count("customers")).isEqualTo(customers);
        assertThat(hub.count("orders")).isEqualTo(orders);
        return problem;
    }
}
