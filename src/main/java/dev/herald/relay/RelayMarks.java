package dev.herald.relay;

import dev.herald.store.PendingEvent;
import dev.herald.trace.Traces;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's "published" marks, written on a thread of their own in the order batches finished: beside the
 * next claim, not in front of it. A mark also ends its batch's claim, in the same transaction.
 */
final class RelayMarks {

    private static final Logger LOG = LoggerFactory.getLogger(RelayMarks.class);

    private final DataSource dataSource;
    private final RelayClaims claims;
    private final ExecutorService thread;
    /** Published to Kafka, "published" not yet written; only the marks' thread touches it. */
    private final List<Long> unmarked = new ArrayList<>();
    /** Their stored traceparents, for the line of a mark that failed (references the events had: no copy). */
    private final List<String> unmarkedTraceparents = new ArrayList<>();
    /** Batches done with (published, or given up on) whose claim is still to end; the marks' thread's. */
    private final Set<Long> finished = new HashSet<>();

    RelayMarks(DataSource dataSource, RelayClaims claims, ExecutorService thread) {
        this.dataSource = dataSource;
        this.claims = claims;
        this.thread = thread;
    }

    /** Batch {@code batch} is done with: its {@code published} events are marked, and its claim ends. */
    void finished(long batch, List<PendingEvent> published) {
        thread.execute(() -> {
            published.forEach(event -> {
                unmarked.add(event.seq());
                unmarkedTraceparents.add(event.traceparent());
            });
            finished.add(batch);
            write();
        });
    }

    /** Done once the marks queued so far are written (or failed, to be tried again). */
    Future<Void> queuedSoFar() {
        return thread.submit(() -> null);
    }

    /** A mark that failed is tried again at every claim, idle or not; none once the relay is closing. */
    void retry() {
        try {
            thread.execute(this::write);
        } catch (RejectedExecutionException closing) {
            // close() writes the last marks
        }
    }

    /**
     * On the marks' thread. A mark that fails is tried again with the next batch's or at the next claim; lost
     * for good (crash), the events' lease runs out and they are published again with the same event ids.
     */
    private void write() {
        if (unmarked.isEmpty() && finished.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            claims.finish(connection, unmarked, finished);
            unmarked.clear();
            unmarkedTraceparents.clear();
            finished.clear();
        } catch (SQLException e) {
            try (Traces.Logged logged = Traces.logged(unmarkedTraceparents, Function.identity())) {
                LOG.warn("could not mark {} published events as published, will try again: {}", unmarked.size(),
                        e.getMessage());
            }
        }
    }

    /** Queues the last marks; {@link #awaitLast} waits for them. */
    void writeLast() {
        thread.execute(this::write);
    }

    void awaitLast() throws InterruptedException {
        thread.shutdown();
        thread.awaitTermination(5, TimeUnit.SECONDS);
    }
}
