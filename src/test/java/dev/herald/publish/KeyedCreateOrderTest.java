package dev.herald.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A create with an Idempotency-Key goes to the lane its key hashes to (so that repeats of the key meet there); the
 * aggregate's next commands go to the lane its id hashes to, mostly another one. Its events must still reach Kafka
 * in version order: the create is answered only once it is published (sync, eager) or left to the relay, behind
 * which the next commands queue (EventStore's waiting events). Many aggregates at once, over four lanes, in both
 * modes that publish from the lanes.
 */
class KeyedCreateOrderTest {

    private static final int AGGREGATES = 24;
    private static final int UPDATES = 4;

    @ParameterizedTest
    @ValueSource(strings = {"sync", "eager"})
    void aKeyedCreateAndTheCommandsRightAfterItReachKafkaInVersionOrder(String mode) {
        try (TestHub hub = TestHub.start(Map.of("herald.publish.mode", mode, "herald.publish.lanes", "4"))) {
            List<String> ids = IntStream.range(0, AGGREGATES)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> createThenUpdate(hub, i)))
                    .toList().stream().map(CompletableFuture::join).toList();

            try (TopicReader reader = new TopicReader(hub.brokers(), "customers")) {
                for (String id : ids) {
                    List<ConsumerRecord<String, byte[]>> records = await().atMost(Duration.ofSeconds(60))
                            .until(() -> reader.recordsFor(id), r -> r.size() >= UPDATES + 1);
                    assertThat(records).as("customer %s", id)
                            .extracting(r -> TopicReader.cloudEvent(r).getExtension("aggregateversion"))
                            .containsExactly(1, 2, 3, 4, 5);
                }
            }
        }
    }

    /** The create, then its updates as soon as each answer came: one client's fastest honest sequence. */
    private static String createThenUpdate(TestHub hub, int i) {
        Response created = hub.http.post("/api/customers",
                "{\"full_name\":\"Keyed " + i + "\",\"email\":\"keyed" + i + "@example.com\"}",
                "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("aggregate_id").asText();
        for (int u = 1; u <= UPDATES; u++) {
            Response updated = hub.http.put("/api/customers/" + id, "{\"full_name\":\"Keyed " + i + " v" + u + "\"}");
            assertThat(updated.status()).as(updated.toString()).isIn(201, 202);
        }
        return id;
    }
}
