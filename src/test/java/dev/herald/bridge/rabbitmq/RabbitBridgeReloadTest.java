package dev.herald.bridge.rabbitmq;

import static dev.herald.testing.LiveReloads.RELOADED;
import static dev.herald.testing.LiveReloads.refused;
import static dev.herald.testing.LiveReloads.save;
import static dev.herald.testing.LiveReloads.watcherOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.AmqpClient.Delivery;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live reload of the consumers file on a real hub and broker (the real RabbitMQ with HERALD_TEST_RABBITMQ_URL): a
 * saved edit binds a new consumer, unbinds a removed one and applies changed binding keys without a restart, while an
 * unchanged consumer gets every event once through the switch; a file that does not read, or that the broker
 * refuses, is refused naming the file and the problem, and the previous declarations keep serving.
 */
class RabbitBridgeReloadTest {

    @Test
    void aSavedConsumersFileIsAppliedOnTheBrokerAndABadOneIsRefused(@TempDir Path dir) throws Exception {
        try (BridgeFixture fixture = new BridgeFixture()) {
            String audit = fixture.queue("audit");
            String crm = fixture.queue("crm");
            String shipping = fixture.queue("shipping");
            String billing = fixture.queue("billing");
            String clash = fixture.queue("clash");
            // its own directory: the watcher watches the whole directory of the consumers file
            Path consumers = dir.resolve("rabbitmq.yaml");
            Files.writeString(consumers, """
                    consumers:
                      - { name: audit, queue: %s, bindings: [ "customer.*" ] }
                      - { name: crm, queue: %s, format: legacy, bindings: [ "customer.*" ] }
                      - { name: shipping, queue: %s, bindings: [ "customer.*" ] }
                    """.formatted(audit, crm, shipping));
            Map<String, String> settings = fixture.settings(true, "");
            settings.put("herald.rabbitmq.consumers-file", consumers.toString());
            settings.put("herald.dev.reload", "true");
            try (TestHub hub = TestHub.start(settings)) {
                FileWatcherResourceReloadStrategy watcher = watcherOf(hub, dir);
                String first = BridgeFixture.createCustomer(hub, "First");
                await().atMost(RELOADED).until(() -> fixture.queueExists(audit) && fixture.queueExists(crm)
                        && fixture.queueExists(shipping));
                for (String queue : List.of(audit, crm, shipping)) {
                    fixture.amqp.consume(queue);
                }
                await().atMost(RELOADED).until(() -> !of(fixture, crm, first).isEmpty());

                // customers created all through the reload: the unchanged consumer gets each once
                List<String> created = new CopyOnWriteArrayList<>();
                AtomicBoolean writing = new AtomicBoolean(true);
                ExecutorService writer = Executors.newSingleThreadExecutor();
                Future<?> writes = writer.submit(() -> {
                    while (writing.get()) {
                        created.add(BridgeFixture.createCustomer(hub, "During " + created.size()));
                    }
                });
                await().atMost(RELOADED).until(() -> created.size() >= 5);

                // (1) crm's keys changed, shipping removed, billing new; audit as it was
                save(consumers, """
                        consumers:
                          - { name: audit, queue: %s, bindings: [ "customer.*" ] }
                          - { name: crm, queue: %s, format: legacy, bindings: [ "customer.updated" ] }
                          - { name: billing, queue: %s, bindings: [ "customer.created" ] }
                        """.formatted(audit, crm, billing));
                await().atMost(RELOADED).until(() -> consumersInAsyncApi(hub).contains("billing"));
                assertThat(consumersInAsyncApi(hub)).doesNotContain("shipping");
                assertThat(fixture.queueExists(billing)).isTrue();
                fixture.amqp.consume(billing);
                int before = created.size();
                await().atMost(RELOADED).until(() -> created.size() >= before + 5);
                writing.set(false);
                writes.get();
                writer.shutdown();

                String customer = BridgeFixture.createCustomer(hub, "After");
                assertThat(hub.http.put("/api/customers/" + customer, "{\"full_name\":\"After All\"}").status())
                        .isEqualTo(201);
                // the new consumer bound: it gets customer.created, not customer.updated
                await().atMost(RELOADED).until(() -> types(fixture, billing, customer), t -> !t.isEmpty());
                // the changed keys: crm gets customer.updated only
                await().atMost(RELOADED).until(() -> types(fixture, crm, customer), t -> !t.isEmpty());
                assertThat(types(fixture, crm, customer)).containsExactly("customer.updated");
                List<String> audited = await().atMost(RELOADED).until(() -> types(fixture, audit, customer),
                        t -> t.size() == 2);
                assertThat(audited).containsExactly("customer.created", "customer.updated");
                // billing's customer.created and audit's were one publish: the removed consumer was not in it
                assertThat(of(fixture, shipping, customer)).isEmpty();
                assertThat(types(fixture, billing, customer)).containsExactly("customer.created");
                assertThat(hub.http.get("/observe/metrics").body())
                        .contains("herald_rabbitmq_queue_depth{consumer=\"billing\"}")
                        .doesNotContain("herald_rabbitmq_queue_depth{consumer=\"shipping\"}");

                // nothing lost nor sent twice to the consumer the edit left as it was
                await().atMost(RELOADED).until(() -> created.stream().allMatch(id -> !of(fixture, audit, id).isEmpty()));
                Map<String, Long> perCustomer = created.stream().collect(Collectors.toMap(id -> id,
                        id -> (long) of(fixture, audit, id).size()));
                assertThat(perCustomer).as("customer.created deliveries to audit per customer created during the "
                        + "reload").allSatisfy((id, count) -> assertThat(count).isEqualTo(1L));

                // (2) refused: a file that does not read; and one the broker refuses (the queue is there, not durable)
                refused(watcher, consumers, """
                        consumers:
                          - { name: audit, queue: %s, bindings: [ "customer.*" ] }
                          - { name: billing, qeue: %s, bindings: [ "customer.created" ] }
                        """.formatted(audit, billing), "rabbitmq.yaml", "qeue");
                fixture.amqp.channel().queueDeclare(clash, false, false, false, null);
                refused(watcher, consumers, """
                        consumers:
                          - { name: audit, queue: %s, bindings: [ "customer.*" ] }
                          - { name: clash, queue: %s, bindings: [ "customer.created" ] }
                        """.formatted(audit, clash), "rabbitmq.yaml", "RabbitMQ refused", "durable");

                // the previous declarations keep serving
                String later = BridgeFixture.createCustomer(hub, "Later");
                await().atMost(RELOADED).until(() -> types(fixture, billing, later), t -> !t.isEmpty());
                await().atMost(RELOADED).until(() -> types(fixture, audit, later), t -> !t.isEmpty());
                assertThat(consumersInAsyncApi(hub)).containsExactlyInAnyOrder("audit", "crm", "billing");
            }
        }
    }

    /** The consumers the hub's AsyncAPI document describes: the bridge's current declarations. */
    private static List<String> consumersInAsyncApi(TestHub hub) {
        JsonNode channels = hub.http.get("/api/asyncapi.json").json().get("channels");
        return channels.properties().stream().map(Map.Entry::getValue)
                .filter(channel -> channel.has("x-herald-binding") && channel.get("description").asText()
                        .startsWith("consumer "))
                .map(channel -> channel.get("description").asText().split(" ")[1]).toList();
    }

    private static List<Delivery> of(BridgeFixture fixture, String queue, String aggregateId) {
        return fixture.amqp.received(queue).stream().filter(d -> aggregateId.equals(d.header("aggregate_id")))
                .toList();
    }

    /** The event types (the AMQP type property) the queue received for the aggregate, in order. */
    private static List<String> types(BridgeFixture fixture, String queue, String aggregateId) {
        return of(fixture, queue, aggregateId).stream().map(d -> d.properties().getType()).toList();
    }
}
