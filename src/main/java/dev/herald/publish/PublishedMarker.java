package dev.herald.publish;

import dev.herald.store.EventStore;
import dev.herald.store.Outbox;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records "published" for events whose Kafka transaction committed, off the lanes' critical path: many
 * batches become one UPDATE. Losing a mark (crash) is harmless: the event's lease runs out and the relay
 * publishes it again with the same event id.
 */
final class PublishedMarker implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PublishedMarker.class);
    private static final int MAX_PER_UPDATE = 5_000;
    /** Marks waiting at most: past it a mark is dropped (harmless, see above) instead of memory running out. */
    private static final int MOST_WAITING = 500_000;

    private final DataSource dataSource;
    private final BlockingQueue<UUID> queue = new LinkedBlockingQueue<>(MOST_WAITING);
    private final Thread thread;
    private volatile boolean running = true;

    PublishedMarker(DataSource dataSource) {
        this.dataSource = dataSource;
        // not Camel's pool: it writes the lanes' last marks while the committer closes, after Camel's stop
        this.thread = new Thread(this, "herald-published-marker");
        thread.setDaemon(true);
        thread.start();
    }

    void mark(Collection<UUID> eventIds) {
        int dropped = 0;
        for (UUID eventId : eventIds) {
            if (!queue.offer(eventId)) {
                dropped++;
            }
        }
        if (dropped > 0) {
            LOG.warn("{} published marks dropped ({} wait already); the relay will publish those events again",
                    dropped, MOST_WAITING);
        }
    }

    @Override
    public void run() {
        List<UUID> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                UUID first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_PER_UPDATE - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<UUID> batch) {
        try (Connection connection = dataSource.getConnection()) {
            Outbox.markPublished(connection, batch);
        } catch (SQLException e) {
            LOG.warn("could not mark {} events published; the relay will publish them again: {}", batch.size(),
                    e.getMessage());
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
