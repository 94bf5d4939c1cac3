package dev.herald.contract.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.contract.EventSchemas;
import dev.herald.contract.EventSchemas.EventType;
import dev.herald.contract.registry.FakeSchemaRegistry.Request;
import dev.herald.testing.AsyncApiSchema;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.LiveReloads;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Publishing the event schemas to a Confluent-compatible schema registry (herald.schemas.registry-url): a real hub
 * against {@link FakeSchemaRegistry} on loopback (no real registry runs on this machine).
 */
class SchemaRegistryPublishingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** customer.updated in two versions (v2 adds an optional field); one type of each mode. */
    private static HubHome home(Path root) {
        return HubHome.copyOfShipped(root)
                .write("schemas/events/customer.updated/2.json", """
                        {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                         "additionalProperties": false, "required": ["customer_id", "full_name", "email"],
                         "properties": {"customer_id": {"type": "string"}, "full_name": {"type": "string"},
                                        "email": {"type": "string"}, "phone": {"type": "string"}}}
                        """)
                .write("schemas/events/order.confirmed/compatibility", "forward\n")
                .write("schemas/events/order.cancelled/compatibility", "full\n")
                .write("schemas/events/customer.deleted/compatibility", "none\n");
    }

    private static Map<String, String> settings(HubHome home, String registryUrl) {
        Map<String, String> settings = new HashMap<>(home.settings());
        settings.put("herald.schemas.registry-url", registryUrl);
        settings.put("herald.schemas.registry-initial-backoff", "100");
        settings.put("herald.schemas.registry-max-backoff", "500");
        return settings;
    }

    @Test
    void everyTypesVersionsAreRegisteredInOrderUnderItsSubjectWithItsCompatibility(@TempDir Path root)
            throws Exception {
        HubHome home = home(root);
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.on(0)) {
            Map<String, String> settings = settings(home, registry.url() + "/");
            settings.put("herald.schemas.registry-user", "herald");
            settings.put("herald.schemas.registry-password", "s3cret");
            settings.put("herald.dev.reload", "true");
            try (TestHub hub = TestHub.start(settings)) {
                EventSchemas schemas = hub.camel().getRegistry().lookupByNameAndType("eventSchemas",
                        EventSchemas.class);
                assertThat(schemas.types().get("customer.updated").versions()).hasSize(2);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(registry.requests()).hasSize(expectedCalls(schemas));
                    assertThat(hub.metricSum("herald_schemas_registry_pending", "")).isZero();
                });
                List<String> subjectsInOrder = new ArrayList<>();
                registry.requests().stream().map(Request::subject).distinct().forEach(subjectsInOrder::add);
                assertThat(subjectsInOrder).containsExactlyElementsOf(schemas.types().keySet().stream()
                        .map(type -> type + "-value").toList());
                for (EventType type : schemas.types().values()) {
                    List<Request> calls = registry.requestsOf(type.name() + "-value");
                    // the mode first, so the registry checks the versions under it, then each version in order
                    assertThat(calls.get(0).method()).isEqualTo("PUT");
                    assertThat(calls.get(0).body()).isEqualTo(JSON.createObjectNode()
                            .put("compatibility", type.compatibility().name()));
                    List<Request> versions = calls.subList(1, calls.size());
                    assertThat(versions).extracting(Request::method).containsOnly("POST");
                    assertThat(versions).extracting(call -> call.body().path("schemaType").asText())
                            .containsOnly("JSON");
                    assertThat(versions).extracting(call -> read(call.body().path("schema").asText()))
                            .containsExactlyElementsOf(type.versions().values().stream()
                                    .map(EventSchemas.Version::document).toList());
                }
                assertThat(registry.compatibility()).containsEntry("order.confirmed-value", "FORWARD")
                        .containsEntry("order.cancelled-value", "FULL").containsEntry("customer.deleted-value", "NONE")
                        .containsEntry("customer.created-value", "BACKWARD");
                assertThat(registry.requests()).extracting(Request::contentType)
                        .containsOnly("application/vnd.schemaregistry.v1+json");
                assertThat(registry.requests()).extracting(Request::authorization).containsOnly("Basic "
                        + java.util.Base64.getEncoder().encodeToString("herald:s3cret".getBytes()));
                assertThat(registry.requests()).extracting(Request::status).containsOnly(200);
                // the AsyncAPI document names each message's subject there, and stays valid
                JsonNode asyncApi = hub.http.get("/api/asyncapi.json").json();
                assertThat(AsyncApiSchema.errors(asyncApi)).isEmpty();
                assertThat(asyncApi.at("/components/messages/customer.created/x-registry-subject").asText())
                        .isEqualTo("customer.created-value");
                assertThat(asyncApi.at("/components/messages/customer.created/x-registry-url").asText())
                        .isEqualTo(registry.url() + "/subjects/customer.created-value/versions");

                // an accepted schema reload (herald.dev.reload) asks for another run; the registry answers it with
                // the same ids
                Path commandSchema = home.schemas().resolve("customer-create.json");
                LiveReloads.save(commandSchema, Files.readString(commandSchema));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(registry.requests()).hasSize(2 * expectedCalls(schemas)));
                assertThat(registry.requests().subList(expectedCalls(schemas), 2 * expectedCalls(schemas)))
                        .extracting(Request::subject).containsExactlyElementsOf(registry.requests()
                                .subList(0, expectedCalls(schemas)).stream().map(Request::subject).toList());
                assertThat(registry.schemasHeld()).isEqualTo(expectedCalls(schemas) - schemas.types().size());
            }
        }
    }

    @Test
    void aRegistryDownAtStartIsRetriedInTheBackgroundAndTheHubTakesCommandsMeanwhile(@TempDir Path root) {
        HubHome home = home(root);
        int port = TestHub.freePort();   // nothing listens there yet
        try (TestHub hub = TestHub.start(settings(home, "http://127.0.0.1:" + port))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(hub.metricSum("herald_schemas_registry_errors_total", "reason=\"unavailable\""))
                        .isGreaterThanOrEqualTo(2);
                assertThat(hub.metricSum("herald_schemas_registry_pending", "")).isPositive();
            });
            Response created = hub.http.post("/api/customers",
                    "{\"full_name\":\"Registry Away\",\"email\":\"away@example.com\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);

            try (FakeSchemaRegistry registry = FakeSchemaRegistry.on(port)) {
                EventSchemas schemas = hub.camel().getRegistry().lookupByNameAndType("eventSchemas",
                        EventSchemas.class);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(registry.requests()).hasSize(expectedCalls(schemas));
                    assertThat(hub.metricSum("herald_schemas_registry_pending", "")).isZero();
                });
                assertThat(registry.requestsOf("customer.updated-value")).extracting(call ->
                        call.isVersion() ? "v" + read(call.body().path("schema").asText()).path("properties")
                                .size() : call.body().path("compatibility").asText())
                        .containsExactly("BACKWARD", "v3", "v4");   // v1 three fields, v2 four
            }
        }
    }

    @Test
    void aVersionTheRegistryRefusesIsLoggedAndCountedNotRetried(@TempDir Path root) {
        HubHome home = home(root);
        Logger logger = (Logger) LoggerFactory.getLogger(RegistryPublishing.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try (FakeSchemaRegistry registry = new FakeSchemaRegistry(0, (subject, schema) ->
                subject.equals("customer.updated-value") && schema.path("properties").has("phone"))) {
            try (TestHub hub = TestHub.start(settings(home, registry.url()))) {
                EventSchemas schemas = hub.camel().getRegistry().lookupByNameAndType("eventSchemas",
                        EventSchemas.class);
                // the run goes on past the refusal: every other type is registered, the pending gauge back to 0
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(registry.requests()).hasSize(expectedCalls(schemas));
                    assertThat(hub.metricSum("herald_schemas_registry_pending", "")).isZero();
                    assertThat(lines.list).anyMatch(line -> line.getFormattedMessage().contains("registered"));
                });
                assertThat(registry.requestsOf("customer.updated-value")).extracting(Request::status)
                        .containsExactly(200, 200, 409);   // the mode, v1, v2 once
                assertThat(hub.metricSum("herald_schemas_registry_errors_total", "reason=\"refused\"")).isEqualTo(1);
                assertThat(hub.metricSum("herald_schemas_registry_errors_total", "reason=\"unavailable\"")).isZero();
                assertThat(lines.list).filteredOn(line -> line.getLevel() == Level.ERROR).singleElement()
                        .satisfies(line -> assertThat(line.getFormattedMessage())
                                .contains("customer.updated-value version 2").contains("409")
                                .contains("incompatible"));
                assertThat(hub.http.get("/observe/health").status()).isEqualTo(200);
            }
        } finally {
            logger.detachAppender(lines);
        }
    }

    /** A PUT of the mode per type, a POST per version. */
    private static int expectedCalls(EventSchemas schemas) {
        return schemas.types().values().stream().mapToInt(type -> 1 + type.versions().size()).sum();
    }

    private static JsonNode read(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
