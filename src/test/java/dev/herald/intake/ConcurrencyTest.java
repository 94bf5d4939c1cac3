package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.SharedHub;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Many writers on one aggregate: versions stay contiguous, If-Match admits one winner, Kafka keeps the order. */
class ConcurrencyTest {

    private static TestHub hub;

    @BeforeAll
    static void start() {
        hub = SharedHub.get();
    }

    @Test
    void concurrentUpdatesOfOneCustomerAreSerialisedInVersionOrder() {
        String id = hub.http.post("/api/customers", "{\"full_name\":\"Busy\",\"email\":\"busy@example.com\"}")
                .json().get("aggregate_id").asText();
        int writers = 20;
        List<Response> answers = IntStream.range(0, writers)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> hub.http.put("/api/customers/" + id,
                        "{\"full_name\":\"Busy " + i + "\"}")))
                .toList().stream().map(CompletableFuture::join).toList();
        assertThat(answers).allMatch(r -> r.status() == 201, "every update accepted");
        assertThat(answers).extracting(r -> r.json().get("version").asInt())
                .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(2, writers + 1).boxed().toList());

        try (TopicReader kafka = new TopicReader(hub.brokers(), "customers")) {
            List<ConsumerRecord<String, byte[]>> records = await().atMost(Duration.ofSeconds(20))
                    .until(() -> kafka.recordsFor(id), r -> r.size() == writers + 1);
            assertThat(records).extracting(r -> TopicReader.cloudEvent(r).getExtension("aggregateversion"))
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, writers + 1).boxed().toList());
        }
    }

    @Test
    void ifMatchAdmitsExactlyOneOfManyWritersOfTheSameVersion() {
        String id = hub.http.post("/api/customers", "{\"full_name\":\"Contended\",\"email\":\"c@example.com\"}")
                .json().get("aggregate_id").asText();
        List<Response> answers = IntStream.range(0, 10)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> hub.http.put("/api/customers/" + id,
                        "{\"full_name\":\"Writer " + i + "\"}", "If-Match", "\"1\"")))
                .toList().stream().map(CompletableFuture::join).toList();
        assertThat(answers).filteredOn(r -> r.status() == 201).hasSize(1);
        assertThat(answers).filteredOn(r -> r.status() == 412).hasSize(9);
        assertThat(hub.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ?", id)).isEqualTo(2);
    }
}
