package dev.herald.observe;

import dev.herald.http.Problem;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.util.concurrent.SizedScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches what waits to be published: the outbox backlog and its oldest event, open dead letters per stage,
 * and since when Kafka has been unreachable. Exposes them as gauges, and sheds load: while the backlog is
 * over herald.shed.max-backlog, or Kafka has been unreachable longer than herald.shed.broker-down-after, new
 * commands are refused with 503 and Retry-After instead of piling up (accepted ones are still delivered).
 */
public final class OutboxMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxMonitor.class);
    private static final String BACKLOG = """
            SELECT count(*), coalesce(extract(epoch FROM now() - min(occurred_at)), 0)
              FROM events WHERE published_at IS NULL AND dead_lettered_at IS NULL""";
    private static final String OPEN_DEAD_LETTERS =
            "SELECT stage, count(*) FROM dead_letters WHERE resolution IS NULL GROUP BY stage";

    private final DataSource dataSource;
    private final MeterRegistry registry;
    private final ShedSettings settings;
    private final BrokerProbe probe;
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestSeconds = new AtomicLong();
    private final Map<String, AtomicLong> openDeadLetters = new ConcurrentHashMap<>();
    /** System.nanoTime() of the first failure since Kafka last answered; 0 while it answers. */
    private final AtomicLong brokerDownSince = new AtomicLong();
    private final ExecutorServiceManager threads;
    private final ScheduledExecutorService scheduler;

    /** Asks Kafka whether it answers; used to notice it is back while every command is being shed. */
    @FunctionalInterface
    public interface BrokerProbe {
        boolean reachable();
    }

    /** The herald.shed.* settings; 0 turns a limit off. */
    public record ShedSettings(long maxBacklog, Duration brokerDownAfter, int retryAfterSeconds,
            Duration interval) {
    }

    public OutboxMonitor(DataSource dataSource, MeterRegistry registry, ShedSettings settings, BrokerProbe probe,
            ExecutorServiceManager threads) {
        this.dataSource = dataSource;
        this.threads = threads;
        this.scheduler = scheduler(threads);
        this.registry = registry;
        this.settings = settings;
        this.probe = probe;
        Gauge.builder("herald.outbox.backlog", backlog, AtomicLong::get)
                .description("Events committed but not yet published").register(registry);
        Gauge.builder("herald.outbox.oldest.age", oldestSeconds, AtomicLong::get).baseUnit("seconds")
                .description("Age of the oldest event waiting to be published").register(registry);
        Gauge.builder("herald.kafka.unreachable", this, OutboxMonitor::brokerDownSeconds).baseUnit("seconds")
                .description("How long Kafka has failed to take events (0: it takes them)").register(registry);
        Gauge.builder("herald.shedding", this, monitor -> monitor.sheddingReason() == null ? 0 : 1)
                .description("1 while new commands are refused to protect what was accepted").register(registry);
    }

    /**
     * Camel's pool: nothing needs the measurements once the routes have stopped, so it may stop with the context;
     * a measurement still scheduled then is dropped, not waited for.
     */
    private ScheduledExecutorService scheduler(ExecutorServiceManager threads) {
        ScheduledExecutorService pool = threads.newSingleThreadScheduledExecutor(this, "herald-outbox-monitor");
        ScheduledThreadPoolExecutor executor = pool instanceof SizedScheduledExecutorService sized
                ? sized.getScheduledThreadPoolExecutor() : (ScheduledThreadPoolExecutor) pool;
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return pool;
    }

    public OutboxMonitor start() {
        scheduler.execute(this::measureAndReschedule);
        return this;
    }

    /**
     * Counting a backlog of millions takes a while: measuring at most a tenth of the time keeps the monitor
     * from competing with the relay that drains it.
     */
    private void measureAndReschedule() {
        long started = System.nanoTime();
        refresh();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        long next = Math.max(settings.interval().toMillis(), 10 * tookMillis);
        if (!scheduler.isShutdown()) {
            scheduler.schedule(this::measureAndReschedule, next, TimeUnit.MILLISECONDS);
        }
    }

    /** Called before a command is taken: refuses it while shedding. */
    public void admit() {
        String reason = sheddingReason();
        if (reason != null) {
            throw Problem.unavailable("shedding", "the hub is protecting commands it already accepted: " + reason
                    + "; nothing was kept", settings.retryAfterSeconds(), null);
        }
    }

    public void brokerAnswered() {
        brokerDownSince.set(0);
    }

    public void brokerFailed() {
        brokerDownSince.compareAndSet(0, System.nanoTime());
    }

    private String sheddingReason() {
        if (settings.maxBacklog() > 0 && backlog.get() >= settings.maxBacklog()) {
            return backlog.get() + " events wait to be published (limit " + settings.maxBacklog() + ")";
        }
        long downMillis = brokerDownMillis();
        if (!settings.brokerDownAfter().isZero() && downMillis >= settings.brokerDownAfter().toMillis()) {
            return "Kafka has been unreachable for " + downMillis / 1000 + " s";
        }
        return null;
    }

    private long brokerDownMillis() {
        long since = brokerDownSince.get();
        return since == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    private double brokerDownSeconds() {
        return brokerDownMillis() / 1000.0;
    }

    private void refresh() {
        try (Connection connection = dataSource.getConnection()) {
            connection.setReadOnly(true);
            try (PreparedStatement statement = connection.prepareStatement(BACKLOG);
                    ResultSet row = statement.executeQuery()) {
                row.next();
                backlog.set(row.getLong(1));
                oldestSeconds.set(Math.round(row.getDouble(2)));
            }
            try (PreparedStatement statement = connection.prepareStatement(OPEN_DEAD_LETTERS);
                    ResultSet rows = statement.executeQuery()) {
                openDeadLetters.values().forEach(count -> count.set(0));
                while (rows.next()) {
                    openDeadLetters.computeIfAbsent(rows.getString(1), this::openDeadLetterGauge)
                            .set(rows.getLong(2));
                }
            }
        } catch (SQLException e) {
            LOG.debug("outbox monitor could not read the backlog: {}", e.getMessage());
        }
        if (brokerDownSince.get() != 0 && probe.reachable()) {
            brokerAnswered();
        }
    }

    private AtomicLong openDeadLetterGauge(String stage) {
        AtomicLong count = new AtomicLong();
        Gauge.builder("herald.dead.letters.open", count, AtomicLong::get).tag("stage", stage)
                .description("Dead letters no operator has resolved yet").register(registry);
        return count;
    }

    @Override
    public void close() {
        threads.shutdownNow(scheduler);
    }
}
