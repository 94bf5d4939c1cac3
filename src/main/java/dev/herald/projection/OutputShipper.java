package dev.herald.projection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a projection's committed output rows to Kafka on a thread of its own, beside the projection applying
 * events: Kafka being slow or down delays the records, never the read model. One sender at a time across instances
 * (an advisory lock per projection, held for the transaction that sends and deletes), so records keep their order.
 */
final class OutputShipper implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(OutputShipper.class);

    private final String projection;
    private final Outputs outputs;
    private final DataSource dataSource;
    private final ProjectionSettings settings;
    private final Object waiting = new Object();
    private Thread thread;
    private volatile boolean running;
    private boolean woken;

    OutputShipper(String projection, Outputs outputs, DataSource dataSource, ProjectionSettings settings) {
        this.projection = projection;
        this.outputs = outputs;
        this.dataSource = dataSource;
        this.settings = settings;
    }

    /** With the projection's route (again, after a stop). */
    void start() {
        running = true;
        thread = new Thread(this, "herald-projection-output-" + projection);
        thread.setDaemon(true);
        thread.start();
    }

    /** After a transaction that wrote output rows committed. */
    void wake() {
        synchronized (waiting) {
            woken = true;
            waiting.notifyAll();
        }
    }

    void stop() throws InterruptedException {
        running = false;
        wake();
        if (thread != null) {
            thread.join(Duration.ofSeconds(30).toMillis());
        }
        outputs.close();
    }

    @Override
    public void run() {
        while (running) {
            Duration pause = settings.interval();
            try {
                if (shipOnce() > 0) {
                    continue; // more may wait
                }
            } catch (SQLException | RuntimeException | ExecutionException | TimeoutException e) {
                pause = settings.maxBackoff();
                LOG.warn("projection {}: changed rows not sent to {}; trying again in {} ms", projection,
                        outputs.topic(), pause.toMillis(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (waiting) {
                if (!woken && running) {
                    try {
                        waiting.wait(pause.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                woken = false;
            }
        }
    }

    private int shipOnce() throws SQLException, ExecutionException, TimeoutException, InterruptedException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int sent = 0;
                if (sender(connection)) {
                    // what it does is delete what Kafka acknowledged: a delete lost in a crash sends those records
                    // again, in order (at least once, as documented), so its commit need not wait for a disk flush
                    try (Statement unsynced = connection.createStatement()) {
                        unsynced.execute("SET LOCAL synchronous_commit = off");
                    }
                    sent = outputs.ship(connection);
                }
                connection.commit();
                return sent;
            } catch (SQLException | RuntimeException | ExecutionException | TimeoutException
                    | InterruptedException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** Whether this instance sends now: the projection's output lock, until this transaction ends. */
    private boolean sender(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(
                "SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))")) {
            lock.setString(1, "herald-projection-output:" + projection);
            try (ResultSet row = lock.executeQuery()) {
                row.next();
                return row.getBoolean(1);
            }
        }
    }
}
