package dev.herald.relay;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the relay as soon as events wait, so a quiet hub publishes within milliseconds rather than at the
 * next poll: LISTEN herald_outbox on a connection of its own (outside the pool), and on a notification for
 * this schema put a run on the relay's queue. The queue holds one run, so a burst of commits is one run.
 * Polling (herald.relay.interval) stays as the fallback: a lost connection only costs latency.
 */
public final class RelayWakeup implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayWakeup.class);
    private static final int POLL_MS = 1_000;
    private static final long MAX_RECONNECT_DELAY_MS = 30_000;

    private final String url;
    private final String user;
    private final String password;
    private final String relayQueueUri;
    private final CamelContext camel;
    private ProducerTemplate relayQueue;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection connection;

    /** {@code relayQueueUri}: herald.relay.queue, the endpoint routes/relay.camel.yaml consumes. */
    public RelayWakeup(CamelContext camel, String url, String user, String password, String relayQueueUri) {
        this.relayQueueUri = relayQueueUri;
        this.url = url;
        this.user = user;
        this.password = password;
        this.camel = camel;
        // not Camel's pool: a blocking LISTEN loop that only close() ends; Camel's stop would wait 10 s, then warn
        this.thread = new Thread(this, "herald-relay-wakeup");
        thread.setDaemon(true);
    }

    /** Called once Camel has started, so the relay's queue exists. */
    public RelayWakeup start() {
        relayQueue = camel.createProducerTemplate();
        thread.start();
        return this;
    }

    @Override
    public void run() {
        long reconnectDelay = 100;
        while (running) {
            try (Connection listening = DriverManager.getConnection(url, user, password)) {
                connection = listening;
                String schema = listen(listening);
                reconnectDelay = 100;
                wake(); // whatever was committed while nobody listened
                PGConnection notifications = listening.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] received = notifications.getNotifications(POLL_MS);
                    if (received != null && isFor(schema, received)) {
                        wake();
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    return;
                }
                LOG.warn("relay wake-up connection lost ({}); polling alone until it is back", e.getMessage());
                if (!pause(reconnectDelay)) {
                    return;
                }
                reconnectDelay = Math.min(reconnectDelay * 2, MAX_RECONNECT_DELAY_MS);
            }
        }
    }

    private static String listen(Connection listening) throws SQLException {
        try (Statement statement = listening.createStatement()) {
            statement.execute("LISTEN herald_outbox");
            try (ResultSet row = statement.executeQuery("SELECT current_schema()")) {
                row.next();
                return row.getString(1);
            }
        }
    }

    private static boolean isFor(String schema, PGNotification[] received) {
        for (PGNotification notification : received) {
            if (schema.equals(notification.getParameter())) {
                return true;
            }
        }
        return false;
    }

    private void wake() {
        relayQueue.sendBody(relayQueueUri, null);
    }

    private boolean pause(long millis) {
        synchronized (this) {
            try {
                wait(millis); // close() notifies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return running;
    }

    @Override
    public void close() throws Exception {
        running = false;
        synchronized (this) {
            notifyAll();
        }
        Connection current = connection;
        if (current != null) {
            current.close(); // ends a getNotifications wait at once
        }
        thread.join(5_000);
        if (relayQueue != null) {
            relayQueue.close();
        }
    }
}
