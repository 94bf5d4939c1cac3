package dev.herald.bridge.webhook;

import dev.herald.bridge.webhook.AttemptRecorder.Attempt;
import dev.herald.bridge.webhook.Payloads.Outgoing;
import dev.herald.deadletter.DeadLetterStore;
import java.net.http.HttpClient;
import dev.herald.trace.Traces;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due deliveries. One pump thread claims the deliveries that are due and at the head of their
 * (endpoint, aggregate) line ({@code FOR UPDATE SKIP LOCKED}, so hub instances share the table), and hands
 * each to an asynchronous HTTP client: no thread waits on an endpoint. Each endpoint has an in-flight cap, so
 * an endpoint that hangs holds at most that many requests (each ended by the timeout) while the others go on.
 * Every answer is recorded as an attempt, and the delivery is finished, rescheduled or dead-lettered.
 */
final class Dispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    /** Claimed ahead per endpoint, in multiples of its in-flight cap: answers need no database trip to refill. */
    private static final int CLAIM_AHEAD = 4;

    private static final AttributeKey<String> ENDPOINT_ID = AttributeKey.stringKey("herald.webhook.endpoint_id");

    private final Traces traces;
    private final DataSource dataSource;
    private final DeliveryClaims claims;
    private final WebhookSettings settings;
    private final TargetGuard guard;
    private final AttemptRecorder recorder;
    private final WebhookMetrics metrics;
    private final OpenedSecrets secrets;
    /** Camel's pools: what they run is done once the routes have stopped, so they may stop with the context. */
    private final ExecutorServiceManager threads;
    private final ExecutorService clientThreads;
    private final HttpClient client;
    private final ExecutorService pump;
    private final ExecutorService work;
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    private final Map<UUID, EndpointLane> lanes = new ConcurrentHashMap<>();
    private final AtomicInteger totalInFlight = new AtomicInteger();
    private final RateSlots rates = new RateSlots();
    private volatile long nextStatisticsCheck;
    private volatile long nextMetricsRefresh;

    Dispatcher(DataSource dataSource, WebhookSettings settings, TargetGuard guard, DeadLetterStore deadLetters,
            WebhookMetrics metrics, SecretCipher secrets, ExecutorServiceManager threads, Traces traces) {
        this.dataSource = dataSource;
        this.traces = traces;
        this.claims = new DeliveryClaims(dataSource, settings);
        this.threads = threads;
        this.clientThreads = threads.newCachedThreadPool(this, "herald-webhook-http");
        this.pump = fixedPool("herald-webhook-pump", 1);
        this.work = fixedPool("herald-webhook-work", 4);
        this.secrets = new OpenedSecrets(secrets);
        this.settings = settings;
        this.guard = guard;
        this.recorder = new AttemptRecorder(dataSource, settings, deadLetters, metrics, this::recorded);
        this.metrics = metrics;
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.timeout()).executor(clientThreads).build();
    }

    /** Claims held by this instance when it stopped are free again (the attempt counted stays counted). */
    void releaseClaims() throws SQLException {
        claims.releaseAll();
    }

    /** The route's tick: pick up due retries, keep the planner informed (every second), refresh gauges now and then. */
    public void tick() throws SQLException {
        wake();
        long now = System.currentTimeMillis();
        if (now >= nextStatisticsCheck) {
            nextStatisticsCheck = now + 1_000;
            try (Connection connection = dataSource.getConnection()) {
                analyzeAfterBursts(connection);
                if (now >= nextMetricsRefresh) {
                    nextMetricsRefresh = now + WebhookMetrics.REFRESH_INTERVAL.toMillis();
                    metrics.refresh(connection);
                }
            }
        }
    }

    /**
     * A burst of deliveries (a busy fan-out, a replay) on a table whose statistics predate it makes PostgreSQL
     * plan the claim's line check with the wrong index (hundreds of ms per claim instead of one); autovacuum
     * only looks every minute, so the dispatcher analyzes the table itself once it grew by a fifth (and 1,000 rows)
     * beyond the rows its statistics counted ({@code reltuples}, set by ANALYZE and VACUUM; -1 before the first).
     * Growth, not any change: normal delivery updates every row twice (the claim, the end) without adding one, and
     * analyzing on that churn cost a tenth to a fifth of PostgreSQL's work per delivery; autovacuum's own analyze
     * still follows the churn.
     */
    private static void analyzeAfterBursts(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("""
                        SELECT s.n_live_tup > greatest(c.reltuples, 0) * 1.2 + 1000
                          FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
                         WHERE s.relid = CAST('webhook_deliveries' AS regclass)""")) {
            if (row.next() && row.getBoolean(1)) {
                statement.execute("ANALYZE webhook_deliveries");
            }
        }
    }

    /** Something may be due (a new delivery, an answer freeing an aggregate's line): pump soon, once. */
    void wake() {
        if (pumpScheduled.compareAndSet(false, true) && !pump.isShutdown()) {
            try {
                pump.execute(this::pumpUntilDry);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                pumpScheduled.set(false);
            }
        }
    }

    private void pumpUntilDry() {
        pumpScheduled.set(false);
        try {
            while (claimAndSend() >= settings.batchSize()) {
                // a full batch: more is due
            }
        } catch (Exception e) {
            LOG.warn("webhook dispatch failed; the next tick tries again: {}", e.toString());
        }
    }

    private int claimAndSend() throws SQLException {
        int room = Math.min(settings.batchSize(), settings.maxInFlight() - totalInFlight.get());
        if (room <= 0) {
            return 0;
        }
        Map<UUID, Integer> held = new HashMap<>();
        lanes.forEach((endpoint, lane) -> held.put(endpoint, lane.held()));
        DeliveryClaims.Claim claim = claims.claim(held, claimAhead(), room);
        List<Claimed> claimed = claim.deliveries();
        Map<UUID, Endpoint> endpoints = claim.endpoints();
        for (Claimed delivery : claimed) {
            totalInFlight.incrementAndGet();
            lanes.computeIfAbsent(delivery.endpointId(), id -> new EndpointLane())
                    .add(delivery, endpoints.get(delivery.endpointId()));
        }
        endpoints.keySet().forEach(id -> startSends(lanes.get(id)));
        return claimed.size();
    }

    private void startSends(EndpointLane lane) {
        Endpoint endpoint = lane.endpoint();
        for (Claimed delivery : lane.take(settings.maxInFlightPerEndpoint())) {
            send(delivery, endpoint);
        }
    }

    private void send(Claimed delivery, Endpoint endpoint) {
        long started = System.nanoTime();
        // each attempt a span continuing the event's trace (its envelope's traceparent); the receiver's continues it
        Span span = traces.start("webhook " + delivery.endpointId() + " deliver", SpanKind.CLIENT,
                Traces.ofEnvelope(delivery.envelope()));
        // the attempt's log lines carry its event's trace id, here and where its answer is handled
        try (Traces.Logged logged = Traces.logged(span.getSpanContext())) {
            send(delivery, endpoint, span, started);
        }
    }

    private void send(Claimed delivery, Endpoint endpoint, Span span, long started) {
        Outgoing outgoing;
        try {
            outgoing = Payloads.build(endpoint, secrets, delivery.eventId().toString(), delivery.envelope(), Instant.now());
        } catch (RuntimeException e) {
            ended(span, delivery, null, e);
            finish(delivery, endpoint, new Outgoing("", Map.of()), null, e, Duration.ZERO);
            return;
        }
        int size = outgoing.body().getBytes(StandardCharsets.UTF_8).length;
        if (size > settings.maxRequestBody()) {
            Outcome.TooLarge tooLarge = new Outcome.TooLarge("the request body (" + size
                    + " bytes) is larger than herald.webhooks.max-request-body");
            ended(span, delivery, null, tooLarge);
            finish(delivery, endpoint, outgoing, null, tooLarge, Duration.ZERO);
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.url()).timeout(settings.timeout())
                .POST(HttpRequest.BodyPublishers.ofString(outgoing.body()));
        outgoing.headers().forEach(request::setHeader);
        Traces.inject(span.getSpanContext(), request::setHeader);
        CompletableFuture.runAsync(() -> guard.check(endpoint.url()), checkExecutor(endpoint))
                .thenCompose(checked -> client.sendAsync(request.build(),
                        info -> new ResponseExcerpt(settings.responseExcerpt())))
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((response, failure) -> {
                    try (Traces.Logged logged = Traces.logged(span.getSpanContext())) {
                        ended(span, delivery, response, failure);
                        finish(delivery, endpoint, outgoing, response, failure,
                                Duration.ofNanos(System.nanoTime() - started));
                    }
                }, work);
    }

    private static void ended(Span span, Claimed delivery, HttpResponse<String> response, Throwable failure) {
        if (!span.isRecording()) {
            return;
        }
        span.setAttribute(Traces.EVENT_ID, delivery.eventId().toString());
        span.setAttribute(ENDPOINT_ID, delivery.endpointId().toString());
        if (response != null) {
            span.setAttribute(Traces.HTTP_STATUS, (long) response.statusCode());
        }
        if (failure != null) {
            Traces.failed(span, unwrap(failure));
        } else if (response == null || response.statusCode() >= 300) {
            span.setStatus(StatusCode.ERROR, response == null ? "no response" : "HTTP " + response.statusCode());
        }
        span.end();
    }

    /**
     * Where the send's SSRF check runs: after the endpoint's rate-limit wait; on a worker when it resolves the
     * host (that may block: never on the pump or a client thread); else right here, saving a thread hop.
     */
    private java.util.concurrent.Executor checkExecutor(Endpoint endpoint) {
        long delay = rates.delayNanos(endpoint);
        if (delay > 0) {
            return CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS, work);
        }
        return guard.resolves(endpoint.url()) ? work : Runnable::run;
    }

    private void finish(Claimed delivery, Endpoint endpoint, Outgoing outgoing, HttpResponse<String> response,
            Throwable failure, Duration took) {
        recorder.submit(new Attempt(delivery, endpoint, outgoing,
                Outcome.of(response, unwrap(failure), settings.timeout()), took));
        // the endpoint has a free slot: the next claimed delivery goes now. This one stays claimed (its
        // aggregate's line held) until its end is recorded.
        EndpointLane lane = lanes.get(delivery.endpointId());
        lane.answered();
        startSends(lane);
        if (lane.waiting() < settings.maxInFlightPerEndpoint()) {
            wake();
        }
    }

    /** The attempt's end is in the table: the aggregate's next delivery may be due. */
    private void recorded(Attempt attempt) {
        totalInFlight.decrementAndGet();
        // a full lane claims nothing: its next answer wakes the pump when it has room again
        if (lanes.get(attempt.delivery().endpointId()).held() < claimAhead()) {
            wake();
        }
    }

    /** How many deliveries an endpoint's lane holds at most (open and waiting). */
    private int claimAhead() {
        return settings.maxInFlightPerEndpoint() * CLAIM_AHEAD;
    }

    private static Throwable unwrap(Throwable failure) {
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }

    /**
     * As the JDK's fixed pool: a queue without bound (Camel's default of 1,000 would run the overflow on the HTTP
     * client's threads) and a refusal, not the caller running it, once stopped.
     */
    private ExecutorService fixedPool(String name, int size) {
        return threads.newThreadPool(this, name, new ThreadPoolProfileBuilder(name).poolSize(size).maxPoolSize(size)
                .keepAliveTime(0L).allowCoreThreadTimeOut(false).maxQueueSize(Integer.MAX_VALUE)
                .rejectedPolicy(ThreadPoolRejectedPolicy.Abort).build());
    }

    @Override
    public void close() {
        recorder.stop();
        List.of(pump, work, clientThreads).forEach(threads::shutdownNow);
    }

}
