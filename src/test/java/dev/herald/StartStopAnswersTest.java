package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.HttpApi;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubProcess;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A client that calls one instance directly through its start and its stop (a rolling restart without a load
 * balancer) gets an answer of a route (201) or 503 problem+json with Retry-After, or a refused connection: never
 * the 404 of a route not started yet, nor a bare 503 of a stopped one.
 */
class StartStopAnswersTest {

    private final AtomicInteger emails = new AtomicInteger();

    @Test
    void fromItsStartToItsExitAClientSeesCommandsAnsweredOr503WithRetryAfter() throws Exception {
        Path dir = Files.createTempDirectory("herald-start-stop");
        int port = TestHub.freePort();
        HttpApi client = new HttpApi("http://127.0.0.1:" + port);
        CompletableFuture<HubProcess> starting = CompletableFuture.supplyAsync(() -> HubProcess.start(Map.of(
                "herald.data.dir", dir.resolve("data").toString(), "herald.embedded.durable", "false",
                "herald.shutdown.drain-period", "0"), port, dir.resolve("hub.log")));
        List<Response> answers = new ArrayList<>();
        int refused = callUntil(client, answers, starting::isDone);
        HubProcess hub = starting.join();
        try {
            hub.signalTerm();
            refused += callUntil(client, answers, () -> !hub.isAlive());
            assertThat(hub.exitStatus(Duration.ofSeconds(60))).as("exit status").isZero();
        } finally {
            hub.kill();
        }
        assertThat(answers).as("answers (and %d refused connections)", refused).isNotEmpty()
                .allSatisfy(answer -> {
                    assertThat(answer.status()).as(answer.toString()).isIn(201, 503);
                    if (answer.status() == 503) {
                        assertThat(answer.header("Retry-After")).as(answer.toString()).isNotBlank();
                        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
                    }
                });
        assertThat(answers).as("commands taken between the start and the stop").anyMatch(a -> a.status() == 201);
    }

    /** Sends commands one after another until {@code done}; answers are collected, refused connections counted. */
    private int callUntil(HttpApi client, List<Response> answers, BooleanSupplier done) {
        int refused = 0;
        while (!done.getAsBoolean()) {
            try {
                answers.add(client.post("/api/customers", "{\"full_name\":\"Early\",\"email\":\"early"
                        + emails.incrementAndGet() + "@example.com\"}"));
            } catch (IllegalStateException noAnswer) {
                refused++;
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos()); // the port is not open yet: poll, not spin
            }
        }
        return refused;
    }
}
