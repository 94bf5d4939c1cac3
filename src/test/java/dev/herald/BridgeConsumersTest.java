package dev.herald;

import dev.herald.bridge.BridgeConsumers;
import dev.herald.intake.DeclaredTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The topics settled from loaded (not yet created) routes, on a bare Camel context: no engines needed. The
 * shipped command template is used as it is, so its {{topic}} parameter is resolved the way Camel will.
 */
class BridgeConsumersTest {

    private static final String DECLARATIONS = """
            - templatedRoute:
                routeTemplateRef: command
                routeId: customer.create
                parameters:
                  - { name: method, value: POST }
                  - { name: path, value: /api/customers }
                  - { name: schema, value: customer-create.json }
                  - { name: aggregate, value: customer }
                  - { name: event, value: customer.created }
                  - { name: topic, value: "{{herald.topics.customers}}" }
                  - { name: resource, value: /api/customers }
                  - { name: sql, value: "SELECT 1" }
            - route:
                id: order.cancel
                from:
                  uri: seda:cancel
                  steps:
                    - filter:
                        constant: "true"
                        steps:
                          - to: "herald:command?aggregate=order&event=order.cancelled&topic={{herald.topics.orders}}&resource=/api/orders"
            """;

    private static final String CONSUMERS = """
            - route:
                id: rabbitmq-bridge
                from: { uri: "kafka:{{herald.rabbitmq.topics}}", steps: [ { log: "bridged" } ] }
            - route:
                id: webhooks.fan-out
                autoStartup: "false"
                from: { uri: "kafka:{{herald.webhooks.topics}}", steps: [ { log: "fanned out" } ] }
            - route:
                id: other
                from: { uri: "seda:other", steps: [ { log: "other" } ] }
            """;

    @Test
    void everyHeraldCommandStepsTopicTemplatedOrWrittenOut() throws Exception {
        try (CamelContext camel = context(Map.of())) {
            load(camel, Files.readString(Path.of("routes/templates.camel.yaml")));
            load(camel, DECLARATIONS);
            assertThat(DeclaredTopics.in(camel)).containsExactly("customers-t", "orders-t");
        }
    }

    @Test
    void eachBridgeConsumesTheDeclaredTopicsUnlessSetOrExcluded() throws Exception {
        try (CamelContext camel = context(Map.of("herald.webhooks.topics", "partner-feed",
                "herald.bridges.exclude-topics", "orders-t"))) {
            load(camel, Files.readString(Path.of("routes/templates.camel.yaml")));
            load(camel, DECLARATIONS);
            load(camel, CONSUMERS);
            BridgeConsumers.settle(camel, DeclaredTopics.in(camel));
            assertThat(camel.resolvePropertyPlaceholders("{{herald.rabbitmq.topics}}")).isEqualTo("customers-t");
            assertThat(camel.resolvePropertyPlaceholders("{{herald.webhooks.topics}}")).isEqualTo("partner-feed");
        }
    }

    @Test
    void withNothingToConsumeTheConsumerRoutesAreLeftOutAndTheStartSucceeds() throws Exception {
        try (CamelContext camel = context(Map.of())) {
            load(camel, CONSUMERS);
            BridgeConsumers.settle(camel, DeclaredTopics.in(camel));
            camel.start();
            assertThat(camel.getRoutes()).extracting(Route::getRouteId).containsExactly("other");
        }
    }

    private static CamelContext context(Map<String, String> settings) {
        CamelContext camel = new DefaultCamelContext();
        // the shipped defaults (every declared setting has one), then this test's
        Properties properties = new Properties();
        try (java.io.InputStream shipped = java.nio.file.Files.newInputStream(java.nio.file.Path.of(
                "application.properties"))) {
            properties.load(shipped);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        properties.putAll(Map.of("herald.topics.customers", "customers-t", "herald.topics.orders", "orders-t",
                "herald.publish.mode", "sync", "herald.schemas.dir", "schemas", "herald.rabbitmq.topics", "",
                "herald.webhooks.topics", "", "herald.bridges.exclude-topics", ""));
        properties.putAll(settings);
        camel.getPropertiesComponent().setInitialProperties(properties);
        // only parses options here; nothing is sent, so it needs no outbox monitor
        camel.getRegistry().bind("herald", new HeraldComponent(null));
        return camel;
    }

    private static void load(CamelContext camel, String yaml) throws Exception {
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("test.camel.yaml", yaml));
    }
}
