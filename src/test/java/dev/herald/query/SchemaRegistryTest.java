package dev.herald.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The event schema registry over HTTP: the types with their versions and modes, one version's schema as
 * application/schema+json, 404 problem+json for an unknown one; with herald.public-url set, an event's
 * dataschema is the URL of its schema there.
 */
class SchemaRegistryTest {

    @Test
    void theRegistryServesEachTypesSchemasAndEventsPointToThem() throws Exception {
        try (TestHub hub = TestHub.start(Map.of("herald.public-url", "https://herald.example.com/"))) {
            Response list = hub.http.get("/api/schemas");
            assertThat(list.status()).as(list.toString()).isEqualTo(200);
            JsonNode created = null;
            for (JsonNode type : list.json().get("types")) {
                if (type.get("type").asText().equals("customer.created")) {
                    created = type;
                }
            }
            assertThat(created).as(list.toString()).isNotNull();
            assertThat(created.get("compatibility").asText()).isEqualTo("backward");
            assertThat(created.get("versions").toString()).isEqualTo("[1]");
            assertThat(created.get("latest").asInt()).isEqualTo(1);

            Response schema = hub.http.get("/api/schemas/customer.created/1");
            assertThat(schema.status()).as(schema.toString()).isEqualTo(200);
            assertThat(schema.header("Content-Type")).startsWith("application/schema+json");
            assertThat(schema.json().get("$id").asText()).isEqualTo("urn:herald:schema:customer.created:v1");
            assertThat(schema.json().get("required").toString()).contains("email");

            for (String unknown : new String[] {"/api/schemas/customer.created/2", "/api/schemas/nothing.done/1",
                "/api/schemas/customer.created/one"}) {
                Response missing = hub.http.get(unknown);
                assertThat(missing.status()).as(missing.toString()).isEqualTo(404);
                assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
            }

            Response customer = hub.http.post("/api/customers",
                    "{\"full_name\":\"Ada\",\"email\":\"ada@example.com\"}");
            assertThat(customer.status()).as(customer.toString()).isEqualTo(201);
            try (Connection connection = hub.dataSource().getConnection();
                    PreparedStatement read = connection.prepareStatement(
                            "SELECT envelope FROM events WHERE aggregate_id = ?")) {
                read.setString(1, customer.json().get("aggregate_id").asText());
                try (ResultSet row = read.executeQuery()) {
                    assertThat(row.next()).isTrue();
                    assertThat(new ObjectMapper().readTree(row.getString(1)).get("dataschema").asText())
                            .isEqualTo("https://herald.example.com/api/schemas/customer.created/1");
                }
            }
        }
    }
}
