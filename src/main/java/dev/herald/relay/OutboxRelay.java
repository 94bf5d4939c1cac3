package dev.herald.relay;

import dev.herald.observe.PublishMeters;
import dev.herald.publish.PublishException;
import dev.herald.publish.TransactionalPublisher;
import dev.herald.store.EventStore.OutgoingEvent;
import dev.herald.store.PendingEvent;
import dev.herald.trace.Traces;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java side of routes/relay.camel.yaml: claims the events the outbox holds (outbox-mode commands, sync
 * events whose Kafka commit failed, events left by a crash) and publishes each claimed batch in one Kafka
 * transaction, so a retried batch never shows a read_committed consumer a duplicate.
 *
 * <p>It scans for every unpublished row, never "after the last seq seen", so an event whose transaction
 * committed late is still found. No event is claimed while another event of its aggregate is held by someone
 * else, and a batch is sent in seq order, so one aggregate's events reach Kafka in version order.
 *
 * <p>A claim is one row per batch ({@link RelayClaims}), so an event row is written once: when published.
 *
 * <p>Pipelined: while one batch is in flight to Kafka, one database thread marks the previous batch published
 * and another claims the next one, each on its own connection. The batch in flight is held, so the next claim
 * skips its aggregates: a later event of an aggregate is claimed only once the earlier one is published (or
 * given up on). A batch being marked is still held until its mark commits (the mark ends its claim in the same
 * transaction), so a claim running beside it sees its events either held or published, never free.
 */
public final class OutboxRelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

    private static final String ATTEMPTS = "HeraldRelayAttempts";
    private static final AttributeKey<Boolean> RELAYED = AttributeKey.booleanKey("herald.relayed");
    /** Tries of the current batch, for the dead letter channel once its retries are spent. */
    public static final String BATCH_ATTEMPTS = "HeraldRelayBatchAttempts";

    private final DataSource dataSource;
    private final TransactionalPublisher publisher;
    private final KafkaDeadLetters deadLetters;
    private final RelaySettings settings;
    private final RelayClaims claims;
    private final PublishMeters meters;
    private final Traces traces;
    /** Claims batches, one at a time. */
    // not Camel's pools: close() writes the last marks and hands back the batch claimed ahead, after Camel's stop
    private final ExecutorService claimer = daemon("herald-relay-claim");
    /** "Published" marks, on a thread of their own (herald-relay-mark) beside the claims. */
    private final RelayMarks marks;
    /** Batch numbers, from the claimer thread; claims of an earlier run are released before the first. */
    private long batches = -1;
    /** The next batch, claimed while the current one was in flight; only the route's thread touches it. */
    private Future<Claim> next;
    /** The batch the route holds (-1: none); only the route's thread touches it. */
    private long inHand = -1;

    public OutboxRelay(DataSource dataSource, TransactionalPublisher publisher, KafkaDeadLetters deadLetters,
            RelaySettings settings, PublishMeters meters, Traces traces) {
        this.meters = meters;
        this.traces = traces;
        this.dataSource = dataSource;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.settings = settings;
        this.claims = new RelayClaims(settings.claimant(), settings.lease());
        this.marks = new RelayMarks(dataSource, claims, daemon("herald-relay-mark"));
    }

    /**
     * Route step: the next batch, claimed ahead while the last one was in flight, or now. A batch claimed ahead
     * that waited long (the last one was retried) has its lease renewed first, without aggregates another
     * relay took over meanwhile.
     */
    public List<PendingEvent> claim() throws SQLException, InterruptedException {
        // the trace ids a failed publish left for Camel's retry and exhausted lines (publish) are not this step's
        Traces.forget();
        if (inHand >= 0) {
            // the error handler gave up on it (publish finishes a batch it got through): its claim ends now
            finish(List.of());
        }
        Future<Claim> ahead = next;
        next = null;
        Claim claim = await(ahead != null ? ahead : claimer.submit(this::claimNow));
        if (ahead != null && claim.events().isEmpty()) {
            // all that is left may be later events of the batch that was in flight: look again after its mark
            await(marks.queuedSoFar());
            claim = await(claimer.submit(this::claimNow));
        }
        if (claim.events().isEmpty()) {
            return claim.events();
        }
        inHand = claim.batch();
        boolean old = System.nanoTime() - claim.claimedAt() > settings.lease().toNanos() / 2;
        if (!old) {
            return claim.events();
        }
        // a renewal that fails is about this batch: Camel's retry line carries its trace ids (as publish's)
        Traces.Logged logged = Traces.loggedThroughRetries(claim.events(), PendingEvent::traceparent);
        List<PendingEvent> renewed = renewLease(claim.events());
        logged.close();
        return renewed;
    }

    /**
     * Route predicate: the claim brought events. A method, not {@code ${body.size()}}: Simple's method call keys
     * its cache by the body, hashing every claimed event (envelopes included) on each turn of the loop.
     */
    public boolean claimed(List<PendingEvent> batch) {
        return !batch.isEmpty();
    }

    private static <T> T await(Future<T> work) throws SQLException, InterruptedException {
        try {
            return work.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private Claim claimNow() throws SQLException {
        marks.retry();
        long claimedAt = System.nanoTime();
        try (Connection connection = dataSource.getConnection()) {
            if (batches < 0) {
                claims.releaseAll(connection);
                batches = 0;
            }
            long batch = ++batches;
            return new Claim(claims.claim(connection, batch, settings.batchSize()), batch, claimedAt);
        }
    }

    /**
     * Publishes the claimed batch (the exchange body) while the next one is claimed; {@link RelayMarks} marks it
     * published after. Throws to let the route's
     * error handler back off and call again; an event Kafka refuses for good is dead-lettered once it has
     * had {@code herald.relay.max-attempts} retries, and the rest of the batch goes on without it.
     */
    @SuppressWarnings("unchecked")
    public void publish(Exchange exchange) throws PublishException, SQLException {
        List<PendingEvent> batch = exchange.getIn().getBody(List.class);
        // the batch's lines carry its event's trace id (the context stored with it), of several events every one's
        // (trace_ids; the relay has no span of its own for a batch); a dead letter's line carries its event's alone
        // (DeadLetterStore). Kept when the step throws: Camel's error handler writes the retry line after it
        Traces.Logged logged = Traces.loggedThroughRetries(batch, PendingEvent::traceparent);
        publish(exchange, batch);
        logged.close();
    }

    @SuppressWarnings("unchecked")
    private void publish(Exchange exchange, List<PendingEvent> batch) throws PublishException, SQLException {
        Map<UUID, Integer> attempts = exchange.getProperty(ATTEMPTS, Map.class);
        if (attempts == null) {
            attempts = new HashMap<>();
            exchange.setProperty(ATTEMPTS, attempts);
        }
        int batchAttempts = exchange.getProperty(BATCH_ATTEMPTS, 0, Integer.class) + 1;
        exchange.setProperty(BATCH_ATTEMPTS, batchAttempts);
        List<PendingEvent> remaining = batchAttempts == 1 ? new ArrayList<>(batch) : renewLease(batch);
        exchange.getIn().setBody(remaining);
        if (batchAttempts == 1 && next == null) {
            next = claimer.submit(this::claimNow);
        }
        while (!remaining.isEmpty()) {
            List<Span> spans = new ArrayList<>(traces.recording() ? remaining.size() : 0);
            try {
                publisher.send(outgoing(remaining, spans));
                publisher.commit();
                spans.forEach(Span::end);
                finish(List.copyOf(remaining));
                OffsetDateTime now = OffsetDateTime.now();
                remaining.forEach(event -> meters.published(PublishMeters.RELAY, event.eventType(),
                        Duration.between(event.occurredAt(), now)));
                exchange.getIn().setBody(List.of());
                return;
            } catch (PublishException e) {
                spans.forEach(span -> span.setStatus(StatusCode.ERROR, e.getMessage()).end());
                meters.failed(PublishMeters.RELAY, e, e.refused().isEmpty());
                Set<UUID> refused = e.refused().stream().map(OutgoingEvent::eventId).collect(Collectors.toSet());
                List<PendingEvent> givenUp = new ArrayList<>();
                Set<String> blocked = new HashSet<>();
                for (PendingEvent event : remaining) {
                    if (refused.contains(event.eventId())
                            && attempts.merge(event.eventId(), 1, Integer::sum) > settings.maxAttempts()) {
                        if (deadLetters.record(event, e.getCause(), attempts.get(event.eventId()))) {
                            blocked.add(event.aggregateId());
                        }
                        givenUp.add(event);
                    }
                }
                if (givenUp.isEmpty()) {
                    throw e;
                }
                remaining.removeAll(givenUp);
                // strict order: the rest of a blocked aggregate waits (unclaimed, unpublished) for the operator
                remaining.removeIf(event -> blocked.contains(event.aggregateId()));
                exchange.getIn().setBody(remaining);
            }
        }
        finish(List.of()); // every event of the batch was given up on
    }

    /**
     * The records of a batch. Tracing off: each carries the context stored with its event. Recording: a publish span
     * per event, child of that stored context (so a trace shows how long the event waited), and its context instead.
     */
    private List<OutgoingEvent> outgoing(List<PendingEvent> events, List<Span> spans) {
        List<OutgoingEvent> records = new ArrayList<>(events.size());
        for (PendingEvent event : events) {
            OutgoingEvent record = event.outgoing();
            if (traces.recording()) {
                Span span = traces.start(event.eventType() + " publish", SpanKind.PRODUCER,
                        Traces.parse(event.traceparent(), null));
                span.setAttribute(Traces.DESTINATION, event.topic());
                span.setAttribute(RELAYED, true);
                spans.add(span);
                record = record.tracedAs(Traces.traceparent(span.getSpanContext()));
            }
            records.add(record);
        }
        return records;
    }

    /**
     * Done with the batch in hand: queues its published events for the "published" mark, which also ends the
     * batch's claim (once per batch: one database round trip).
     */
    private void finish(List<PendingEvent> published) {
        long batch = inHand;
        inHand = -1;
        marks.finished(batch, published);
    }

    /**
     * Before a retry (backoff can outlast the lease): extends the lease on what is still this relay's. An
     * aggregate of which another relay took an event after the lease ran out is left to it entirely, so its
     * events are never published by two relays out of order.
     */
    private List<PendingEvent> renewLease(List<PendingEvent> batch) throws SQLException {
        Set<Long> stillOurs;
        try (Connection connection = dataSource.getConnection()) {
            stillOurs = claims.renew(connection, inHand, batch);
        }
        Set<String> lost = batch.stream().filter(event -> !stillOurs.contains(event.seq()))
                .map(PendingEvent::aggregateId).collect(Collectors.toSet());
        return new ArrayList<>(batch.stream().filter(event -> !lost.contains(event.aggregateId())).toList());
    }

    /** Writes the last marks and hands a batch claimed ahead back to the other relays at once. */
    @Override
    public void close() throws InterruptedException {
        Future<Claim> ahead = next;
        marks.writeLast();
        if (ahead != null) {
            claimer.execute(() -> release(ahead));
        }
        marks.awaitLast();
        claimer.shutdown();
        claimer.awaitTermination(5, TimeUnit.SECONDS);
        publisher.close();
    }

    private static ExecutorService daemon(String name) {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    private void release(Future<Claim> ahead) {
        try (Connection connection = dataSource.getConnection()) {
            claims.release(connection, ahead.get().batch());
        } catch (SQLException | ExecutionException | InterruptedException e) {
            LOG.debug("could not release the batch claimed ahead; its lease will run out: {}", e.getMessage());
        }
    }

    /** Dead letter channel endpoint of the relay route: its retries for a whole batch are spent. */
    @SuppressWarnings("unchecked")
    public void deadLetterExhausted(Exchange exchange) throws SQLException {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Object body = exchange.getIn().getBody();
        if (!(body instanceof List<?> batch) || batch.isEmpty()) {
            LOG.warn("relay run failed before it held events; it tries again on its next run", failure);
            return;
        }
        Throwable cause = failure != null && failure.getCause() != null ? failure.getCause() : failure;
        for (PendingEvent event : (List<PendingEvent>) batch) {
            deadLetters.record(event, cause, exchange.getProperty(BATCH_ATTEMPTS, 1, Integer.class));
        }
    }

    private record Claim(List<PendingEvent> events, long batch, long claimedAt) {
    }

    /** The herald.relay.* settings. */
    public record RelaySettings(int batchSize, Duration lease, int maxAttempts, String claimant) {
    }
}
