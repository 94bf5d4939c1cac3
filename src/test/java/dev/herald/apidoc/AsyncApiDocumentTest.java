package dev.herald.apidoc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.testing.AsyncApiSchema;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GET /api/asyncapi.json of a running hub with the RabbitMQ bridge and webhooks on: valid against the official
 * AsyncAPI 3.0.0 JSON Schema (vendored in src/test/resources/asyncapi, see its README), and it describes the Kafka
 * topics with each event type's data by reference to the schema registry, the RabbitMQ exchanges and the consumer
 * queues of bridges/rabbitmq.yaml with their routing keys, the webhooks' signature headers and the dead-letter topic.
 */
class AsyncApiDocumentTest {

    @Test
    void theDocumentIsValidAsyncApiAndDescribesEveryWayOut() throws Exception {
        try (TestHub hub = TestHub.start(Map.of("herald.rabbitmq.enabled", "true",
                "herald.public-url", "https://herald.example.com", "herald.security.bootstrap-key", "s3cret-admin"))) {
            // a key exists, so the API needs one; the documents of the declarations do not (they hold no data)
            assertThat(hub.http.get("/api/schemas").status()).isEqualTo(401);
            assertThat(hub.http.get("/api/openapi.json").status()).isEqualTo(200);
            Response answer = hub.http.get("/api/asyncapi.json");
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            JsonNode document = answer.json();
            assertThat(AsyncApiSchema.errors(document)).as(answer.body()).isEmpty();

            // the validator does see errors: the same document with a channel's address of the wrong type
            ObjectNode broken = document.deepCopy();
            ((ObjectNode) broken.at("/channels/kafka.customers")).put("address", 42);
            assertThat(AsyncApiSchema.errors(broken)).isNotEmpty();

            JsonNode created = document.at("/components/messages/customer.created");
            assertThat(created.at("/payload/allOf/1/properties/data/$ref").asText())
                    .isEqualTo("https://herald.example.com/api/schemas/customer.created/1");
            assertThat(created.at("/bindings/kafka/key/description").asText()).contains("aggregate id");
            assertThat(document.at("/channels/kafka.customers/address").asText())
                    .isEqualTo(hub.camelContext().resolvePropertyPlaceholders("{{herald.topics.customers}}"));
            assertThat(document.at("/channels/kafka.customers/messages").has("customer.created")).isTrue();
            assertThat(document.at("/channels/kafka.orders/messages").has("order.cancelled")).isTrue();
            assertThat(document.at("/operations/publish." + hub.camelContext().resolvePropertyPlaceholders("{{herald.topics.orders}}") + "/action").asText())
                    .isEqualTo("send");

            assertThat(document.at("/channels/rabbitmq.exchange/bindings/amqp/exchange/name").asText())
                    .isEqualTo("herald.events");
            assertThat(document.at("/channels/rabbitmq.exchange/bindings/amqp/exchange/type").asText())
                    .isEqualTo("topic");
            JsonNode crm = document.at("/channels/rabbitmq.queue.herald.crm");
            assertThat(crm.at("/x-herald-binding/routingKeys").toString()).isEqualTo("[\"customer.*\"]");
            assertThat(crm.at("/x-herald-binding/format").asText()).isEqualTo("legacy");
            assertThat(crm.get("messages").has("customer.created")).isTrue();
            assertThat(crm.get("messages").has("order.created")).isFalse();
            assertThat(document.at("/components/messages/amqp.legacy.customer.created/name").asText())
                    .isEqualTo("CustomerCreated");
            assertThat(document.at("/channels/rabbitmq.queue.herald.audit/messages").has("order.cancelled")).isTrue();

            assertThat(document.at("/components/schemas/WebhookHeaders/required").toString())
                    .contains("webhook-id", "webhook-timestamp", "webhook-signature");
            assertThat(document.at("/channels/webhooks/messages").has("webhook.order.created.legacy")).isTrue();
            assertThat(document.at("/channels/kafka.herald.dead-letters/address").asText())
                    .isEqualTo("herald.dead-letters");
            assertThat(document.at("/channels/kafka.customer-order-totals/address").asText())
                    .isEqualTo("customer-order-totals");
        }
    }
}
