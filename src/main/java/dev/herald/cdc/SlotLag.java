package dev.herald.cdc;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How much WAL each CDC source's replication slot holds back: the bytes between {@code pg_current_wal_lsn()} and
 * the slot's {@code confirmed_flush_lsn}, as the gauge {@code herald_cdc_slot_lag_bytes{slot}}, read every interval.
 * A stalled source (the hub down, a change it cannot take) keeps its slot from advancing, and PostgreSQL keeps the
 * WAL until it does, so over {@code herald.cdc.slot-lag-alert} each reading logs a warning: the disk fills otherwise
 * unnoticed. A slot not created yet reads 0; -1 while the database cannot be read.
 */
final class SlotLag implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlotLag.class);
    private static final String LAG = """
            SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint
              FROM pg_replication_slots WHERE slot_name = ?""";

    private final CdcDatabase database;
    private final long alert;
    private final Map<String, AtomicLong> lags = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "herald-cdc-slot-lag");
        thread.setDaemon(true);
        return thread;
    });

    SlotLag(CdcDatabase database, long alert, Duration interval, Iterable<String> slots, MeterRegistry registry) {
        this.database = database;
        this.alert = alert;
        for (String slot : slots) {
            AtomicLong lag = new AtomicLong();
            lags.put(slot, lag);
            Gauge.builder("herald.cdc.slot.lag", lag, AtomicLong::get).baseUnit("bytes").tag("slot", slot)
                    .description("WAL a CDC source's replication slot holds back (not yet confirmed)")
                    .register(registry);
        }
        timer.scheduleWithFixedDelay(this::read, 0, Math.max(interval.toMillis(), 100), TimeUnit.MILLISECONDS);
    }

    private void read() {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(),
                database.password()); PreparedStatement statement = connection.prepareStatement(LAG)) {
            for (Map.Entry<String, AtomicLong> slot : lags.entrySet()) {
                statement.setString(1, slot.getKey());
                try (ResultSet row = statement.executeQuery()) {
                    long bytes = row.next() ? row.getLong(1) : 0;
                    slot.getValue().set(bytes);
                    if (bytes > alert) {
                        LOG.warn("CDC slot {} holds back {} bytes of WAL, over herald.cdc.slot-lag-alert ({}): its "
                                + "source is stalled or slow, and PostgreSQL keeps the WAL until it catches up",
                                slot.getKey(), bytes, alert);
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            lags.values().forEach(lag -> lag.set(-1));
            LOG.warn("CDC slot lag could not be read: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
