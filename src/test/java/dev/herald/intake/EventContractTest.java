package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command whose SQL returns data its event schema refuses is a bug in the declaration: it fails loudly (500
 * event-contract-violation naming the field) and keeps nothing: no state row, no event, no command record.
 */
class EventContractTest {

    @Test
    void dataThatBreaksTheEventSchemaFailsTheCommandAndKeepsNothing(@TempDir Path root) throws Exception {
        HubHome home = HubHome.copyOfShipped(root).withProductsBreakingTheirEventSchema();
        try (TestHub hub = TestHub.start(home.settings())) {
            long events = hub.count("events");
            Response refused = hub.http.post("/api/products", "{\"name\":\"Difference Engine\",\"price\":12.5}");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(500);
            JsonNode problem = refused.json();
            assertThat(problem.get("type").asText()).isEqualTo("urn:herald:problem:event-contract-violation");
            assertThat(problem.get("eventType").asText()).isEqualTo("product.created");
            assertThat(problem.get("eventVersion").asInt()).isEqualTo(1);
            assertThat(problem.get("errors")).singleElement().satisfies(error -> {
                assertThat(error.get("pointer").asText()).isEqualTo("/price");
                assertThat(error.get("keyword").asText()).isEqualTo("type");
            });
            assertThat(problem.get("detail").asText()).contains("/price");
            assertThat(hub.queryLong("SELECT count(*) FROM products")).isZero();
            assertThat(hub.count("events")).isEqualTo(events);
            assertThat(hub.queryLong("SELECT count(*) FROM commands WHERE command_type = 'product.create'")).isZero();

            // the shipped commands, whose data keeps their schemas, are not disturbed
            Response customer = hub.http.post("/api/customers",
                    "{\"full_name\":\"Ada\",\"email\":\"ada@example.com\"}");
            assertThat(customer.status()).as(customer.toString()).isEqualTo(201);
        }
    }
}
