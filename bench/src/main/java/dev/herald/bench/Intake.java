package dev.herald.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Load on POST /api/customers. Open model: requests are scheduled on a fixed timeline and each latency is
 * measured from its intended send time, so a stalled server shows up as latency (no coordinated omission).
 * Closed model (saturation): N clients, each sends its next request when the previous one answered.
 */
final class Intake {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Requests go to these hubs in turn (several instances behind one imaginary load balancer). */
    private final List<URI> uris;
    private final HttpClient client;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "http-client");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong sequence = new AtomicLong();
    /** 2xx answers over every phase, warm-up included: should equal the events the hub stored. */
    static final AtomicLong ACCEPTED = new AtomicLong();
    private final String runId = Long.toString(System.currentTimeMillis(), 36);

    Intake(String baseUrl) {
        this(List.of(baseUrl));
    }

    Intake(List<String> baseUrls) {
        this.uris = baseUrls.stream().map(url -> URI.create(url + "/api/customers")).toList();
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(executor).build();
    }

    private HttpRequest nextRequest() {
        long n = sequence.incrementAndGet();
        String body = "{\"full_name\":\"Bench User " + n + "\",\"email\":\"bench-" + runId + "-" + n
                + "@example.com\"}";
        return HttpRequest.newBuilder(uris.get((int) (n % uris.size()))).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static void complete(Stats stats, HttpResponse<String> response, Throwable error, long nanos) {
        if (error != null) {
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            stats.failure("exception:" + cause.getClass().getSimpleName(), String.valueOf(cause.getMessage()));
        } else if (response.statusCode() / 100 == 2) {
            ACCEPTED.incrementAndGet();
            stats.success(String.valueOf(response.statusCode()), nanos);
        } else {
            stats.failure(String.valueOf(response.statusCode()), response.body());
        }
    }

    /** Fixed arrival rate for {@code seconds}; at most {@code maxInFlight} requests outstanding. */
    ObjectNode open(double rate, double seconds, int maxInFlight, ObjectNode out) throws InterruptedException {
        Stats stats = new Stats();
        Semaphore inFlight = new Semaphore(maxInFlight);
        long total = Math.max(1, Math.round(rate * seconds));
        double interval = 1e9 / rate;
        long start = System.nanoTime() + 20_000_000L;
        long maxLag = 0;
        AtomicLong lastCompletion = new AtomicLong(start);
        // a hub far slower than the offered rate would stretch the step without end: stop sending at 2x its
        // duration (at least +5 s) and report what was never sent
        long sendDeadline = start + (long) (Math.max(2 * seconds, seconds + 5) * 1e9);
        long notSent = 0;
        for (long i = 0; i < total; i++) {
            long intended = start + (long) (i * interval);
            if (System.nanoTime() > sendDeadline) {
                notSent = total - i;
                break;
            }
            long now;
            while ((now = System.nanoTime()) < intended) {
                LockSupport.parkNanos(intended - now);
            }
            inFlight.acquire();
            maxLag = Math.max(maxLag, System.nanoTime() - intended);
            client.sendAsync(nextRequest(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                long end = System.nanoTime();
                complete(stats, response, error, end - intended);
                lastCompletion.accumulateAndGet(end, Math::max);
                inFlight.release();
            });
        }
        // wait for every answer (each request times out after REQUEST_TIMEOUT)
        if (!inFlight.tryAcquire(maxInFlight, REQUEST_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
            out.put("unanswered", maxInFlight - inFlight.availablePermits());
        } else {
            inFlight.release(maxInFlight);
        }
        double elapsed = (Math.max(lastCompletion.get(), start + (long) (total * interval)) - start) / 1e9;
        out.put("offered_per_s", rate);
        out.put("duration_s", seconds);
        out.put("scheduled", total);
        out.put("sent", total - notSent);
        out.put("not_sent", notSent);
        out.put("max_in_flight", maxInFlight);
        out.put("max_send_lag_ms", Stats.round(maxLag / 1e6, 3));
        return stats.toJson(out, elapsed, "achieved_per_s");
    }

    /** {@code clients} closed-loop clients for {@code seconds}. */
    ObjectNode closed(int clients, double seconds, ObjectNode out) throws InterruptedException {
        Stats stats = new Stats();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        AtomicLong sent = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    sent.incrementAndGet();
                    HttpResponse<String> response = null;
                    Throwable error = null;
                    try {
                        response = client.send(nextRequest(), HttpResponse.BodyHandlers.ofString());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        error = e;
                        if (!(e instanceof java.net.http.HttpTimeoutException)) {
                            LockSupport.parkNanos(10_000_000L); // no busy loop when the hub is gone
                        }
                    }
                    complete(stats, response, error, System.nanoTime() - t0);
                }
            }, "closed-client-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        out.put("clients", clients);
        out.put("duration_s", seconds);
        out.put("sent", sent.get());
        return stats.toJson(out, elapsed, "achieved_per_s");
    }

    /** Closed loop until {@code total} commands were sent (fills the outbox with a backlog). */
    ObjectNode fill(int clients, long total, ObjectNode out) throws InterruptedException {
        Stats stats = new Stats();
        AtomicLong remaining = new AtomicLong(total);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                while (remaining.getAndDecrement() > 0) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> response = client.send(nextRequest(), HttpResponse.BodyHandlers.ofString());
                        complete(stats, response, null, System.nanoTime() - t0);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        complete(stats, null, e, System.nanoTime() - t0);
                    }
                }
            }, "fill-client-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        out.put("clients", clients);
        out.put("sent", total);
        return stats.toJson(out, (System.nanoTime() - start) / 1e9, "achieved_per_s");
    }

    /** Quiet warm-up (JIT, connection pools, group-commit lanes); nothing recorded. */
    void warmUp(int clients, double seconds) throws InterruptedException {
        if (seconds > 0) {
            closed(clients, seconds, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        }
    }

    /** One request, to fail fast when the hub refuses commands outright. */
    HttpResponse<String> probe() throws Exception {
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(nextRequest(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> response = f.get(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (response.statusCode() / 100 == 2) {
            ACCEPTED.incrementAndGet();
        }
        return response;
    }
}
