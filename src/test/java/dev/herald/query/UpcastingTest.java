package dev.herald.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers of history see the newest shape (docs/events.md, "Upcasting"): customer.created gets a version 2 that
 * calls full_name name, with a 1-to-2 upcaster; the shipped command still emits version 1. Time travel and a
 * projection see name; Kafka and the events page keep what was published.
 */
class UpcastingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V2 = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "additionalProperties": false, "required": ["customer_id", "name", "email"],
             "properties": {"customer_id": {"type": "string"}, "name": {"type": "string"},
                            "email": {"type": "string"}}}
            """;

    @Test
    void timeTravelAndProjectionsReadAVersion1EventAsVersion2AndKafkaKeepsVersion1(@TempDir Path root)
            throws Exception {
        HubHome home = withVersion2(root, ".name = .full_name | del(.full_name)")
                .write("sql/V901__customer_names.sql", """
                        CREATE TABLE customer_names (customer_id text PRIMARY KEY, name text NOT NULL);
                        """)
                .write("routes/names.camel.yaml", """
                        - templatedRoute:
                            routeTemplateRef: projection
                            parameters:
                              - { name: name, value: customer-names }
                              - { name: types, value: customer.created }
                              - { name: tables, value: customer_names }
                              - name: sql
                                value: >-
                                  INSERT INTO customer_names (customer_id, name) VALUES (:#aggregate_id, :#name)
                        """);
        try (TestHub hub = TestHub.start(home.settings());
                TopicReader topic = new TopicReader(hub.brokers(), "customers")) {
            Response created = hub.http.post("/api/customers", "{\"full_name\":\"Ada Lovelace\",\"email\":\"a@x\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().get("aggregate_id").asText();

            // the projection's SQL got :#name, the version 2 field, from a version 1 event
            await().atMost(Duration.ofSeconds(20)).until(() -> hub.queryLong(
                    "SELECT count(*) FROM customer_names WHERE customer_id = ? AND name = 'Ada Lovelace'", id) == 1);

            JsonNode event = hub.http.get("/api/customers/" + id + "/events").json().at("/events/0/event");
            assertThat(event.at("/data/full_name").asText()).isEqualTo("Ada Lovelace");   // the page: as stored
            Response then = hub.http.get("/api/customers/" + id + "?as_of=" + event.get("time").asText());
            assertThat(then.status()).as(then.toString()).isEqualTo(200);
            assertThat(then.json().get("name").asText()).isEqualTo("Ada Lovelace");
            assertThat(then.json().has("full_name")).isFalse();
            assertThat(then.json().has("schema_version")).isFalse();
            assertThat(then.json().get("version").asInt()).isEqualTo(1);

            // Kafka keeps the version it was published with
            List<ConsumerRecord<String, byte[]>> records = await().atMost(Duration.ofSeconds(20))
                    .until(() -> topic.recordsFor(id), found -> !found.isEmpty());
            CloudEvent published = TopicReader.cloudEvent(records.get(0));
            assertThat(published.getDataSchema().toString()).endsWith("1");
            JsonNode data = JSON.readTree(published.getData().toBytes());
            assertThat(data.get("full_name").asText()).isEqualTo("Ada Lovelace");
            assertThat(data.has("name")).isFalse();
        }
    }

    @Test
    void aBrokenUpcasterRefusesTheStartNamingItsFile(@TempDir Path root) {
        HubHome home = withVersion2(root, ".name = .full_name | del(");
        assertThatThrownBy(() -> TestHub.start(home.settings()).close())
                .hasStackTraceContaining("customer.created/1-to-2.jq is not a jq program");
    }

    private static HubHome withVersion2(Path root, String upcaster) {
        return HubHome.copyOfShipped(root)
                .write("schemas/events/customer.created/compatibility", "none\n")
                .write("schemas/events/customer.created/2.json", V2)
                .write("schemas/events/customer.created/1-to-2.jq", upcaster);
    }
}
