package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.SharedHub;
import dev.herald.testing.TestHub;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IdempotencyTest {

    private static TestHub hub;

    @BeforeAll
    static void start() {
        hub = SharedHub.get();
    }

    @Test
    void aRepeatReturnsTheFirstAnswerAndEmitsNoSecondEvent() {
        String key = UUID.randomUUID().toString();
        String body = "{\"full_name\":\"Once\",\"email\":\"once@example.com\"}";
        Response first = hub.http.post("/api/customers", body, "Idempotency-Key", key);
        assertThat(first.status()).isEqualTo(201);
        long events = hub.count("events");

        Response repeat = hub.http.post("/api/customers", "{ \"email\":\"once@example.com\", \"full_name\":\"Once\" }",
                "Idempotency-Key", key);
        assertThat(repeat.status()).isEqualTo(201);
        assertThat(repeat.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(repeat.json().get("aggregate_id")).isEqualTo(first.json().get("aggregate_id"));
        assertThat(repeat.json().get("event")).isEqualTo(first.json().get("event"));
        assertThat(hub.count("events")).isEqualTo(events);
    }

    @Test
    void theSameKeyWithAnotherBodyIs422() {
        String key = UUID.randomUUID().toString();
        assertThat(hub.http.post("/api/customers", "{\"full_name\":\"A\",\"email\":\"a@example.com\"}",
                "Idempotency-Key", key).status()).isEqualTo(201);
        long events = hub.count("events");
        Response other = hub.http.post("/api/customers", "{\"full_name\":\"B\",\"email\":\"b@example.com\"}",
                "Idempotency-Key", key);
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.json().get("type").asText()).isEqualTo("urn:herald:problem:idempotency-key-reused");
        assertThat(hub.count("events")).isEqualTo(events);
    }

    @Test
    void concurrentRepeatsProduceOneEvent() {
        String key = UUID.randomUUID().toString();
        long events = hub.count("events");
        List<Response> answers = IntStream.range(0, 8)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> hub.http.post("/api/customers",
                        "{\"full_name\":\"Race\",\"email\":\"race@example.com\"}", "Idempotency-Key", key)))
                .toList().stream().map(CompletableFuture::join).toList();
        assertThat(answers).allMatch(r -> r.status() == 201, "all answered 201");
        assertThat(answers).extracting(r -> r.json().get("aggregate_id").asText()).containsOnly(
                answers.get(0).json().get("aggregate_id").asText());
        assertThat(hub.count("events")).isEqualTo(events + 1);
    }
}
