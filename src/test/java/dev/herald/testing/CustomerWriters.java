package dev.herald.testing;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.Invariants.Outcomes;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Clients creating customers, each with a unique email, and optionally renaming each a few times (unique
 * names: so each aggregate has several versions whose order matters), as fast as the hub answers,
 * remembering what was accepted and what was refused; a request that got no answer (the hub died, the
 * connection broke) has an unknown outcome and is in neither.
 */
public final class CustomerWriters implements AutoCloseable {

    private final Map<String, String> accepted = new ConcurrentHashMap<>();
    private final Set<String> acceptedEvents = ConcurrentHashMap.newKeySet();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sent = new AtomicInteger();
    private final int renames;
    private final ExecutorService threads;

    /** {@code hub}: asked before every request, so the test can swap in a restarted hub. */
    public CustomerWriters(int count, Supplier<HttpApi> hub) {
        this(count, 0, hub);
    }

    /** {@code renames}: updates sent to each customer after its creation was accepted. */
    public CustomerWriters(int count, int renames, Supplier<HttpApi> hub) {
        this(count, renames, Duration.ZERO, hub);
    }

    /**
     * {@code pause}: between one customer's writes and the next customer's, so a long test against a fast
     * (outbox) hub does not pile up tens of thousands of events for the invariant check to read back.
     */
    public CustomerWriters(int count, int renames, Duration pause, Supplier<HttpApi> hub) {
        this.renames = renames;
        threads = Executors.newFixedThreadPool(count);
        for (int i = 0; i < count; i++) {
            threads.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    write(hub);
                    if (!pause.isZero()) {
                        LockSupport.parkNanos(pause.toNanos());
                    }
                }
            });
        }
    }

    private void write(Supplier<HttpApi> hub) {
        String email = UUID.randomUUID() + "@example.com";
        Response created = send(hub, null, "{\"full_name\":\"Writer\",\"email\":\"" + email + "\"}", email);
        if (created == null) {
            return;
        }
        String id = created.json().get("aggregate_id").asText();
        accepted.put(email, id);
        for (int i = 0; i < renames && !Thread.currentThread().isInterrupted(); i++) {
            String name = "Writer " + UUID.randomUUID();
            send(hub, id, "{\"full_name\":\"" + name + "\"}", name);
        }
    }

    /** Creates ({@code id} null) or updates; answers the accepted answer, null otherwise. */
    private Response send(Supplier<HttpApi> hub, String id, String body, String marker) {
        try {
            Response answer = id == null ? hub.get().post("/api/customers", body)
                    : hub.get().put("/api/customers/" + id, body);
            sent.incrementAndGet();
            if (answer.status() == 201 || answer.status() == 202) {
                acceptedEvents.add(answer.json().at("/event/id").asText());
                return answer;
            }
            if (answer.status() != 503 || !answer.json().get("type").asText().endsWith(":outcome-unknown")) {
                refused.add(marker);
            }
        } catch (RuntimeException e) {
            if (!(e.getCause() instanceof ConnectException)) { // refused: the hub was down, nothing was sent
                sent.incrementAndGet(); // sent, but no answer: outcome unknown
            }
        }
        return null;
    }

    /** Accepted commands (creates and renames). */
    public int accepted() {
        return acceptedEvents.size();
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
        return new Outcomes(sent.get(), Map.copyOf(accepted), Set.copyOf(refused), Set.copyOf(acceptedEvents));
    }

    @Override
    public void close() throws InterruptedException {
        if (!threads.isShutdown()) {
            stop();
        }
    }
}
