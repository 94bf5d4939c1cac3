package dev.herald.publish;

import dev.herald.command.CommandResult;
import dev.herald.command.Publication;
import dev.herald.command.Refusal;
import dev.herald.command.Unavailable;
import dev.herald.observe.PublishMeters;
import dev.herald.store.EventStore.Applied;
import dev.herald.store.EventStore.OutgoingEvent;
import dev.herald.store.EventStore;
import dev.herald.store.Outbox;
import dev.herald.trace.Traces;
import io.opentelemetry.api.trace.Span;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Group commit: one thread takes the commands queued for it, applies a batch in one database transaction
 * (a refused command fails alone, see {@link #applyAndPublish}), publishes the batch's events in one Kafka
 * transaction, then commits the database and then Kafka. Aggregates hash to lanes, so one aggregate's
 * commands are applied and published in order.
 *
 * <p>Why database commit before Kafka commit: if Kafka's commit then fails, the events are already in the
 * outbox and the relay publishes them (the client hears 202, pending); the other order could leave an event
 * in Kafka whose state was never kept. Every check runs before either commit, so the ordinary failures
 * (broker down, slow, refusing) abort both and the client hears 503 with nothing kept.
 *
 * <p>Eager commands (mode {@code eager}) skip the Kafka transaction, whose coordination is most of what the
 * broker spends on a batch: their events are sent after the database commit, on an idempotent producer of
 * their own. Sent after the commit, an event can never be in Kafka without its state; not acknowledged, it
 * stays in the outbox for the relay and the client hears 202 instead of 503.
 */
final class Lane implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);

    private final String name;
    private final BlockingQueue<PendingCommand> queue;
    private final DataSource dataSource;
    private final EventStore store;
    private final TransactionalPublisher publisher;
    private final TransactionalPublisher afterCommitPublisher;
    private final PublishSettings settings;
    private final PublishedMarker marker;
    private final PublishMeters meters;
    private final Traces traces;
    private volatile boolean running = true;
    /**
     * Events this lane handed to the relay but could not release (the database failed at that moment): their rows
     * still name this instance, and its own held events do not make an aggregate wait (they are on their way), so a
     * later command of the aggregate would go to Kafka ahead of them. Released before the next batch is applied, by
     * whichever lane comes first (shared: an aggregate's create and its updates may take different lanes).
     */
    private final Map<UUID, String> stranded;

    Lane(String name, DataSource dataSource, EventStore store, TransactionalPublisher publisher,
            TransactionalPublisher afterCommitPublisher, PublishSettings settings, PublishedMarker marker,
            PublishMeters meters, Traces traces, Map<UUID, String> stranded) {
        this.stranded = stranded;
        this.afterCommitPublisher = afterCommitPublisher;
        this.meters = meters;
        this.traces = traces;
        this.name = name;
        this.queue = new LinkedBlockingQueue<>(settings.queueCapacity());
        this.dataSource = dataSource;
        this.store = store;
        this.publisher = publisher;
        this.settings = settings;
        this.marker = marker;
    }

    boolean offer(PendingCommand command) {
        return running && queue.offer(command);
    }

    @Override
    public void run() {
        List<PendingCommand> batch = new ArrayList<>(settings.batchSize());
        while (running || !queue.isEmpty()) {
            try {
                PendingCommand first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                fill(batch);
                process(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } catch (RuntimeException | LinkageError | AssertionError e) {
                // a driver's internal error must not end the lane: its batch fails, the next one runs
                try (Traces.Logged logged = Traces.logged(batch, p -> p.command.traceparent())) {
                    LOG.error("lane {} failed a batch", name, e);
                }
                RuntimeException failure = e instanceof RuntimeException runtime ? runtime
                        : new IllegalStateException(e);
                batch.forEach(p -> p.fail(failure));
            } finally {
                batch.clear();
            }
        }
        publisher.close();
        afterCommitPublisher.close();
        refuseRemaining();
    }

    private void fill(List<PendingCommand> batch) throws InterruptedException {
        queue.drainTo(batch, settings.batchSize() - batch.size());
        long lingerEnd = System.nanoTime() + settings.linger().toNanos();
        while (batch.size() < settings.batchSize() && System.nanoTime() < lingerEnd) {
            PendingCommand next = queue.poll(lingerEnd - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
            queue.drainTo(batch, settings.batchSize() - batch.size());
        }
    }

    private void process(List<PendingCommand> batch) {
        List<PendingCommand> live = batch.stream().filter(p -> !p.isAbandoned()).toList();
        if (live.isEmpty()) {
            return;
        }
        // recording only: the batch's transaction (database and Kafka), linked to each command's publish span
        Span span = traces.recording()
                ? traces.batch(name + " batch", live.stream().map(p -> p.command.traceparent()).toList())
                : Span.getInvalid();
        // the batch's log lines carry its command's trace id; of many commands, the batch span's (none when off) and
        // every command's (trace_ids)
        try (Traces.Logged batchSpan = Traces.logged(span.getSpanContext());
                Traces.Logged commands = Traces.logged(live, p -> p.command.traceparent())) {
            if (span.isRecording()) {
                span.setAttribute(Traces.BATCH_SIZE, (long) live.size());
            }
            inTransactions(live);
        } finally {
            span.end();
        }
    }

    private void inTransactions(List<PendingCommand> live) {
        try (Connection connection = dataSource.getConnection()) {
            releaseStranded(connection);
            connection.setAutoCommit(false);
            // the commands' SQL steps (camel-sql, on Spring's JdbcTemplate) find this connection bound to the
            // lane's thread and run in its transaction
            TransactionSynchronizationManager.bindResource(dataSource, new ConnectionHolder(connection));
            try {
                Retry next = new Retry(live, live.size() == 1);
                while (!next.commands().isEmpty()) {
                    next = applyAndPublish(connection, next.commands(), next.carefully());
                }
            } finally {
                TransactionSynchronizationManager.unbindResource(dataSource);
            }
        } catch (SQLException e) {
            RuntimeException unavailable = new Unavailable(Unavailable.Reason.DATABASE_UNAVAILABLE,
                    "the database could not take the command: " + e.getMessage(), e);
            live.forEach(p -> p.fail(unavailable));
        }
    }

    /**
     * What to run again in a fresh transaction: after a failure on the fast path (carefully, to find the
     * command at fault), or the commands a Kafka failure did not concern (outbox ones, neighbours of a
     * refused event).
     */
    private record Retry(List<PendingCommand> commands, boolean carefully) {
        static final Retry NONE = new Retry(List.of(), true);
    }

    /**
     * Fast path: no savepoints, the event and command rows of the whole batch written in two JDBC batches.
     * Careful path: a savepoint per command, so a failing command fails alone. The fast path hands over to
     * the careful one at the first failure, so one bad command costs its batch a second try, not an answer.
     */
    private Retry applyAndPublish(Connection connection, List<PendingCommand> commands, boolean carefully)
            throws SQLException {
        List<PendingCommand> pending = new ArrayList<>();
        List<Applied> applied = new ArrayList<>();
        EventStore.Writes writes = new EventStore.Writes(!carefully);
        boolean savepoints = carefully && commands.size() > 1;
        for (PendingCommand command : commands) {
            Savepoint savepoint = savepoints ? connection.setSavepoint() : null;
            try {
                Applied result = store.apply(connection, command.command, settings.leaseFor(), writes);
                if (result.isReplay()) {
                    command.succeed(result.result());
                } else {
                    pending.add(command);
                    applied.add(result);
                }
            } catch (SQLException e) {
                if (isConnectionLost(e)) {
                    throw e;
                }
                if (!carefully) {
                    return redoCarefully(connection, commands);
                }
                undo(connection, savepoint);
                command.fail(new Refusal(Refusal.Reason.DATABASE_REFUSED, e.getMessage(), Map.of(), e));
            } catch (RuntimeException e) {
                if (!carefully) {
                    return redoCarefully(connection, commands);
                }
                undo(connection, savepoint);
                command.fail(e);
            }
        }
        try {
            writes.flush(connection);
        } catch (SQLException e) {
            if (carefully || isConnectionLost(e)) {
                throw e;
            }
            return redoCarefully(connection, commands);
        }
        if (applied.isEmpty()) {
            connection.commit();
            return Retry.NONE;
        }
        List<OutgoingEvent> toPublish = published(pending, applied, false);
        List<OutgoingEvent> afterCommit = published(pending, applied, true);
        if (!toPublish.isEmpty()) {
            try {
                publisher.send(toPublish);
            } catch (PublishException e) {
                connection.rollback();
                meters.failed(PublishMeters.LANE, e, e.refused().isEmpty());
                return new Retry(refuse(pending, applied, e), true);
            }
        }
        if (!pending.stream().allMatch(PendingCommand::claim)) {
            abort(connection, toPublish);
            fail(pending, new Unavailable(Unavailable.Reason.PUBLISH_TIMEOUT, "the batch outlived a client's deadline; "
                    + "nothing was kept", null));
            return Retry.NONE;
        }
        try {
            connection.commit();
        } catch (SQLException e) {
            if (!toPublish.isEmpty()) {
                publisher.abort();
            }
            settleInDoubt(pending, applied, e);
            return Retry.NONE;
        }
        answer(connection, pending, applied, toPublish, afterCommit, System.nanoTime());
        return Retry.NONE;
    }

    /** The events this lane publishes itself: in the batch's Kafka transaction, or (eager) after the commit. */
    private static List<OutgoingEvent> published(List<PendingCommand> pending, List<Applied> applied, boolean eager) {
        List<OutgoingEvent> events = new ArrayList<>();
        for (int i = 0; i < applied.size(); i++) {
            if (!isOutbox(applied.get(i)) && pending.get(i).command.declaration().eager() == eager) {
                events.add(applied.get(i).event());
            }
        }
        return events;
    }

    /**
     * A commit whose answer was lost (the connection broke) may have committed. Asked again on a fresh
     * connection: committed commands are kept, their events go to the relay (Kafka's transaction was aborted)
     * and the client hears 202 pending; the others were not kept (503). If even that cannot be read, the
     * client is told the outcome is unknown and how to learn it.
     */
    private void settleInDoubt(List<PendingCommand> pending, List<Applied> applied, SQLException failure) {
        Set<UUID> committed;
        try (Connection fresh = dataSource.getConnection()) {
            committed = EventStore.committedCommands(fresh,
                    applied.stream().map(a -> a.result().commandId()).toList());
            List<UUID> handedOver = applied.stream().filter(a -> committed.contains(a.result().commandId()))
                    .map(a -> a.event().eventId()).toList();
            if (!handedOver.isEmpty()) {
                Outbox.releaseClaims(fresh, handedOver);
            }
        } catch (SQLException e) {
            // which were kept is unknown: any of them may hold its aggregate, until the next batch releases it
            applied.forEach(a -> strand(a.event()));
            fail(pending, new Unavailable(Unavailable.Reason.OUTCOME_UNKNOWN, "the database connection broke during the "
                    + "commit and the outcome could not be read back: the command may have been kept, and then its event "
                    + "will be published; repeat it with the same Idempotency-Key to learn which",
                    failure));
            return;
        }
        for (int i = 0; i < pending.size(); i++) {
            CommandResult result = applied.get(i).result();
            if (committed.contains(result.commandId())) {
                pending.get(i).succeed(result.withPublication(Publication.PENDING));
            } else {
                pending.get(i).fail(new Unavailable(Unavailable.Reason.DATABASE_UNAVAILABLE, "the database commit failed: "
                        + failure.getMessage() + "; nothing was kept", failure));
            }
        }
    }

    private static Retry redoCarefully(Connection connection, List<PendingCommand> commands) throws SQLException {
        connection.rollback();
        return new Retry(commands.stream().filter(PendingCommand::isOpen).toList(), true);
    }

    private void answer(Connection connection, List<PendingCommand> pending, List<Applied> applied,
            List<OutgoingEvent> published, List<OutgoingEvent> afterCommit, long committedAt) {
        boolean visible = false;
        if (!published.isEmpty()) {
            try {
                publisher.commit();
                visible = true;
                marked(published, applied, committedAt);
            } catch (PublishException e) {
                meters.failed(PublishMeters.LANE, e, true);
                try (Traces.Logged logged = Traces.logged(published, OutgoingEvent::traceparent)) {
                    LOG.warn("lane {}: Kafka commit failed after the database commit; {} events stay in the outbox "
                            + "for the relay: {}", name, published.size(), e.getMessage());
                }
                releaseClaims(connection, published);
            }
        }
        boolean eagerVisible = false;
        if (!afterCommit.isEmpty()) {
            if (published.isEmpty() || visible) {
                eagerVisible = publishAfterCommit(connection, afterCommit, applied, committedAt);
            } else {
                // behind a Kafka commit that failed: the relay publishes them all, each aggregate in order
                releaseClaims(connection, afterCommit);
            }
        }
        for (int i = 0; i < pending.size(); i++) {
            CommandResult result = applied.get(i).result();
            boolean sync = !isOutbox(applied.get(i));
            boolean seen = pending.get(i).command.declaration().eager() ? eagerVisible : visible;
            pending.get(i).succeed(sync && seen ? result.withPublication(Publication.PUBLISHED)
                    : result.withPublication(Publication.PENDING));
        }
    }

    /** Eager commands' events, committed already: acknowledged, or left to the relay (released at once). */
    private boolean publishAfterCommit(Connection connection, List<OutgoingEvent> events, List<Applied> applied,
            long committedAt) {
        try {
            afterCommitPublisher.send(events);
        } catch (PublishException e) {
            meters.failed(PublishMeters.LANE, e, true);
            try (Traces.Logged logged = Traces.logged(events, OutgoingEvent::traceparent)) {
                LOG.warn("lane {}: Kafka did not acknowledge {} events sent after their commit; they stay in the "
                        + "outbox for the relay: {}", name, events.size(), e.getMessage());
            }
            releaseClaims(connection, events);
            return false;
        }
        marked(events, applied, committedAt);
        return true;
    }

    /** Acknowledged events: marked published (asynchronously) and counted. */
    private void marked(List<OutgoingEvent> events, List<Applied> applied, long committedAt) {
        Set<UUID> sent = eventIds(events);
        marker.mark(sent);
        Duration sinceCommit = Duration.ofNanos(System.nanoTime() - committedAt);
        applied.stream().filter(a -> a.event() != null && sent.contains(a.event().eventId()))
                .forEach(a -> meters.published(PublishMeters.LANE, a.result().eventType(), sinceCommit));
    }

    private void releaseClaims(Connection connection, List<OutgoingEvent> unpublished) {
        try {
            connection.setAutoCommit(true);
            Outbox.releaseClaims(connection, eventIds(unpublished));
        } catch (SQLException e) {
            unpublished.forEach(this::strand);
            try (Traces.Logged logged = Traces.logged(unpublished, OutgoingEvent::traceparent)) {
                LOG.warn("lane {}: {} events could not be handed to the relay yet ({}); the lane releases them before "
                        + "its next batch", name, unpublished.size(), e.getMessage());
            }
        }
    }

    /** An event left for the next batch to hand to the relay, with its traceparent for that line. */
    private void strand(OutgoingEvent event) {
        stranded.put(event.eventId(), Objects.requireNonNullElse(event.traceparent(), ""));
    }

    /** Before a batch: what earlier ones could not hand to the relay. A failure fails the batch (503), in order. */
    private void releaseStranded(Connection connection) throws SQLException {
        if (!stranded.isEmpty()) {
            Map<UUID, String> released = new HashMap<>(stranded);
            Outbox.releaseClaims(connection, released.keySet());
            released.keySet().forEach(stranded::remove);
            // of earlier batches: their trace ids (trace_ids), not the batch's about to run
            try (Traces.Logged logged = Traces.logged(List.copyOf(released.values()), Function.identity())) {
                LOG.info("lane {}: {} events handed to the relay after the database came back", name,
                        released.size());
            }
        }
    }

    private static Set<UUID> eventIds(List<OutgoingEvent> events) {
        Set<UUID> ids = new HashSet<>();
        events.forEach(event -> ids.add(event.eventId()));
        return ids;
    }

    private List<PendingCommand> refuse(List<PendingCommand> pending, List<Applied> applied, PublishException e) {
        Set<UUID> refused = new HashSet<>();
        e.refused().forEach(event -> refused.add(event.eventId()));
        List<PendingCommand> retry = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            OutgoingEvent event = applied.get(i).event();
            if (isOutbox(applied.get(i))) {
                retry.add(pending.get(i)); // Kafka's trouble is the relay's: the command itself is fine
            } else if (refused.contains(event.eventId())) {
                pending.get(i).fail(new Refusal(Refusal.Reason.EVENT_REFUSED, "Kafka refused the event this command "
                        + "produces: " + e.getMessage() + "; nothing was kept",
                        Map.of("eventType", applied.get(i).result().eventType())));
            } else if (!refused.isEmpty()) {
                retry.add(pending.get(i));
            } else {
                pending.get(i).fail(new Unavailable(Unavailable.Reason.BROKER_UNAVAILABLE, "Kafka did not acknowledge "
                        + "the event within " + settings.timeout().toMillis() + " ms (" + e.getMessage()
                        + "); nothing was kept", e));
            }
        }
        return retry;
    }

    private void abort(Connection connection, List<OutgoingEvent> toPublish) throws SQLException {
        if (!toPublish.isEmpty()) {
            publisher.abort();
        }
        connection.rollback();
    }

    private static boolean isOutbox(Applied applied) {
        return applied.result().confirmed() == Publication.PENDING;
    }

    private static void fail(List<PendingCommand> commands, RuntimeException problem) {
        commands.forEach(p -> p.fail(problem));
    }

    private static void undo(Connection connection, Savepoint savepoint) throws SQLException {
        if (savepoint != null) {
            connection.rollback(savepoint);
        } else {
            connection.rollback();
        }
    }

    private static boolean isConnectionLost(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("08");
    }

    void stop() {
        running = false;
    }

    private void refuseRemaining() {
        PendingCommand left;
        while ((left = queue.poll()) != null) {
            left.fail(new Unavailable(Unavailable.Reason.SHUTTING_DOWN, "the hub is shutting down", null));
        }
    }
}
