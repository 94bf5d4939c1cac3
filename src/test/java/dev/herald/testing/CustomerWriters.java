package dev.herald.testing;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.Invariants.Outcomes;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Clients creating customers, each with a unique email, as fast as the hub answers, remembering what was
 * accepted and what was refused; a request that got no answer (the hub died, the connection broke) has an
 * unknown outcome and is in neither.
 */
public final class CustomerWriters implements AutoCloseable {

    private final Map<String, String> accepted = new ConcurrentHashMap<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads;

    /** {@code hub}: asked before every request, so the test can swap in a restarted hub. */
    public CustomerWriters(int count, Supplier<HttpApi> hub) {
        threads = Executors.newFixedThreadPool(count);
        for (int i = 0; i < count; i++) {
            threads.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    write(hub.get());
                }
            });
        }
    }

    private void write(HttpApi hub) {
        String email = UUID.randomUUID() + "@example.com";
        try {
            Response answer = hub.post("/api/customers", "{\"full_name\":\"Writer\",\"email\":\"" + email + "\"}");
            if (answer.status() == 201 || answer.status() == 202) {
                accepted.put(email, answer.json().get("aggregate_id").asText());
            } else if (answer.status() != 503 || !answer.json().get("type").asText().endsWith(":outcome-unknown")) {
                refused.add(email);
            }
        } catch (RuntimeException e) {
            // no answer: outcome unknown
        }
    }

    public int accepted() {
        return accepted.size();
    }

    public int refused() {
        return refused.size();
    }

    /** Stops the clients and returns what they were told. */
    public Outcomes stop() throws InterruptedException {
        threads.shutdownNow();
        if (!threads.awaitTermination(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("writers did not stop");
        }
        return new Outcomes(Map.copyOf(accepted), Set.copyOf(refused));
    }

    @Override
    public void close() throws InterruptedException {
        if (!threads.isShutdown()) {
            stop();
        }
    }
}
