package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.SharedHub;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each command end to end: HTTP in, PostgreSQL state, the CloudEvent read back from Kafka (read_committed). */
class CommandPipelineTest {

    private static TestHub hub;
    private static TopicReader kafka;

    @BeforeAll
    static void start() {
        hub = SharedHub.get();
        kafka = new TopicReader(hub.brokers(), "customers", "orders");
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void createCustomerAnswers201AndPublishesACloudEvent() {
        Response created = hub.http.post("/api/customers", "{\"full_name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"}");

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("aggregate_id").asText();
        assertThat(created.header("Location")).isEqualTo("/api/customers/" + id);
        assertThat(created.header("ETag")).isEqualTo("\"1\"");
        JsonNode event = created.json().get("event");
        assertThat(event.get("type").asText()).isEqualTo("customer.created");
        assertThat(event.get("status").asText()).isEqualTo("published");
        assertThat(created.json().get("command_id").asText()).isNotBlank();

        List<ConsumerRecord<String, byte[]>> records = awaitRecords(id, 1);
        ConsumerRecord<String, byte[]> record = records.get(0);
        assertThat(record.topic()).isEqualTo("customers");
        assertThat(new String(record.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8))
                .startsWith("application/cloudevents+json");
        CloudEvent cloudEvent = TopicReader.cloudEvent(record);
        assertThat(cloudEvent.getId()).isEqualTo(event.get("id").asText());
        assertThat(cloudEvent.getType()).isEqualTo("customer.created");
        assertThat(cloudEvent.getSubject()).isEqualTo(id);
        assertThat(cloudEvent.getSpecVersion().toString()).isEqualTo("1.0");
        assertThat(cloudEvent.getSource().toString()).isEqualTo("/herald");
        assertThat(cloudEvent.getTime()).isNotNull();
        assertThat(cloudEvent.getDataContentType()).isEqualTo("application/json");
        assertThat(cloudEvent.getDataSchema().toString()).isEqualTo("urn:herald:schema:customer.created:v1");
        assertThat(cloudEvent.getExtension("partitionkey")).isEqualTo(id);
        assertThat(cloudEvent.getExtension("aggregateversion")).isEqualTo(1);
        String data = new String(cloudEvent.getData().toBytes(), StandardCharsets.UTF_8);
        assertThat(data).contains("\"customer_id\":\"" + id + "\"", "\"full_name\":\"Ada Lovelace\"",
                "\"email\":\"ada@example.com\"");

        Response read = hub.http.get("/api/customers/" + id);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("full_name").asText()).isEqualTo("Ada Lovelace");
        assertThat(read.header("ETag")).isEqualTo("\"1\"");
    }

    @Test
    void updateAndDeleteFollowTheVersionAndStayInOrder() {
        String id = createCustomer("Grace Hopper", "grace@example.com");

        Response updated = hub.http.put("/api/customers/" + id, "{\"email\":\"grace@navy.mil\"}", "If-Match", "\"1\"");
        assertThat(updated.status()).as(updated.toString()).isEqualTo(201);
        assertThat(updated.json().get("version").asInt()).isEqualTo(2);
        assertThat(updated.json().at("/event/type").asText()).isEqualTo("customer.updated");

        Response stale = hub.http.put("/api/customers/" + id, "{\"email\":\"x@example.com\"}", "If-Match", "\"1\"");
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(stale.json().get("currentVersion").asInt()).isEqualTo(2);

        Response staleDelete = hub.http.delete("/api/customers/" + id, "If-Match", "\"1\"");
        assertThat(staleDelete.status()).isEqualTo(412);

        Response deleted = hub.http.delete("/api/customers/" + id, "If-Match", "\"2\"");
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(201);
        assertThat(deleted.json().at("/event/type").asText()).isEqualTo("customer.deleted");
        assertThat(hub.http.get("/api/customers/" + id).status()).isEqualTo(404);

        List<ConsumerRecord<String, byte[]>> records = awaitRecords(id, 3);
        assertThat(records).extracting(r -> TopicReader.cloudEvent(r).getType())
                .containsExactly("customer.created", "customer.updated", "customer.deleted");
        assertThat(records).extracting(r -> TopicReader.cloudEvent(r).getExtension("aggregateversion"))
                .containsExactly(1, 2, 3);
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(records.get(0).partition());

        Response stream = hub.http.get("/api/customers/" + id + "/events");
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.json().get("events")).hasSize(3);
        assertThat(stream.json().at("/events/2/event/type").asText()).isEqualTo("customer.deleted");
        // "published" is recorded just after the answer, off the request's path
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.http.get("/api/customers/" + id + "/events").json()
                .at("/events/2/status").asText().equals("published"));
    }

    @Test
    void placeAndCancelAnOrder() {
        String customer = createCustomer("Alan Turing", "alan@example.com");
        Response placed = hub.http.post("/api/orders", "{\"customer_id\":\"" + customer + "\",\"items\":["
                + "{\"product_id\":\"p-1\",\"quantity\":2,\"unit_price\":9.99},"
                + "{\"product_id\":\"p-2\",\"quantity\":1,\"unit_price\":5}]}");
        assertThat(placed.status()).as(placed.toString()).isEqualTo(201);
        String order = placed.json().get("aggregate_id").asText();

        Response read = hub.http.get("/api/orders/" + order);
        assertThat(read.json().get("total").decimalValue()).isEqualByComparingTo("24.98");
        assertThat(read.json().get("items")).hasSize(2);

        Response cancelled = hub.http.post("/api/orders/" + order + "/cancel", "{\"reason\":\"changed my mind\"}");
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(201);
        Response again = hub.http.post("/api/orders/" + order + "/cancel", "{\"reason\":\"twice\"}");
        assertThat(again.status()).isEqualTo(409);

        List<ConsumerRecord<String, byte[]>> records = awaitRecords(order, 2);
        assertThat(records).allMatch(r -> r.topic().equals("orders"));
        CloudEvent created = TopicReader.cloudEvent(records.get(0));
        assertThat(created.getType()).isEqualTo("order.created");
        String data = new String(created.getData().toBytes(), StandardCharsets.UTF_8);
        assertThat(data).contains("\"total\":24.98", "\"customer_id\":\"" + customer + "\"", "\"order_id\":\"" + order);
        assertThat(TopicReader.cloudEvent(records.get(1)).getType()).isEqualTo("order.cancelled");
    }

    @Test
    void listsCustomersInPages() {
        createCustomer("Page One", "p1@example.com");
        createCustomer("Page Two", "p2@example.com");
        Response page = hub.http.get("/api/customers?limit=1");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.json()).hasSize(1);
        String after = page.json().get(0).get("customer_id").asText();
        Response next = hub.http.get("/api/customers?limit=1&after=" + after);
        assertThat(next.json().get(0).get("customer_id").asText()).isGreaterThan(after);
    }

    private static String createCustomer(String name, String email) {
        Response created = hub.http.post("/api/customers",
                "{\"full_name\":\"" + name + "\",\"email\":\"" + email + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("aggregate_id").asText();
    }

    private static List<ConsumerRecord<String, byte[]>> awaitRecords(String key, int count) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> kafka.recordsFor(key), r -> r.size() >= count);
    }
}
