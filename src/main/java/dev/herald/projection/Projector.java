package dev.herald.projection;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.herald.deadletter.DeadLetter;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.http.JsonBodies;
import dev.herald.projection.Positions.Position;
import dev.herald.store.SqlParameters;
import dev.herald.store.SqlRows;
import dev.herald.trace.Traces;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The consumer of {@code from: herald:projection:<name>}: reads the event store in commit order (see
 * {@link Positions}) and hands the route one exchange per event of its types, up to a batch in one database
 * transaction bound to this thread, so the route's {@code sql:} steps (camel-sql, Spring's JdbcTemplate) join it.
 * The projection's position is written in that same transaction: each event changes the read model exactly once,
 * across crashes and restarts.
 *
 * <p>An event the route fails on stops the projection there (status {@code failed}, the error, a dead letter of
 * stage {@code projection}; the events before it in its batch are applied): it is never skipped unless an operator
 * discards its dead letter. A database that cannot be reached is waited out instead (backing off).
 */
public final class Projector extends DefaultConsumer implements Runnable {

    /** Exchange headers the route may look at (its body holds the same as SQL parameters). */
    public static final String EVENT_TYPE = "HeraldEventType";
    public static final String EVENT_ID = "HeraldEventId";
    public static final String AGGREGATE_ID = "HeraldAggregateId";
    public static final String EVENT_SEQ = "HeraldEventSeq";

    private static final Logger LOG = LoggerFactory.getLogger(Projector.class);
    private static final Duration LAG_EVERY = Duration.ofSeconds(1);
    /** Reads an envelope's data in the middle of the envelope (the fields after it are not data's trailing tokens). */
    private static final ObjectReader DATA = JsonBodies.MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final ProjectionEndpoint endpoint;
    private final Projectors projectors;
    private final DataSource dataSource;
    private final ProjectionSettings settings;
    private final AtomicLong position = new AtomicLong();
    private final AtomicLong lag = new AtomicLong();
    private final List<Meter> meters = new ArrayList<>();
    private Counter applied;
    private volatile boolean running;
    private volatile boolean failed;
    private volatile boolean rebuildRequested;
    private volatile boolean rebuilding;
    private volatile String rebuildError;
    private final Object waiting = new Object();
    private final Outputs outputs;
    private final OutputShipper shipper;
    private final ApplySpans spans;
    private Thread thread;
    private long lagMeasuredAt;
    /** The events of the round in progress (none before they are read), for the line of a round that failed. */
    private List<StoredEvent> round = List.of();

    Projector(ProjectionEndpoint endpoint, Processor route, Projectors projectors) {
        super(endpoint, route);
        this.endpoint = endpoint;
        this.projectors = projectors;
        this.dataSource = projectors.dataSource();
        this.settings = projectors.settings();
        this.outputs = endpoint.getOutput().isBlank() ? null
                : new Outputs(endpoint.name(), endpoint.getOutput(), endpoint.getOutputKey(), projectors.brokers());
        this.shipper = outputs == null ? null : new OutputShipper(endpoint.name(), outputs, dataSource, settings);
        this.spans = new ApplySpans(projectors.traces(), endpoint.name());
    }

    public String name() {
        return endpoint.name();
    }

    List<String> types() {
        return endpoint.typeList();
    }

    /** live, rebuilding or failed, as last seen by this instance. */
    String status() {
        return rebuilding || rebuildRequested ? "rebuilding" : failed ? "failed" : "live";
    }

    String rebuildError() {
        return rebuildError;
    }

    boolean rebuildable() {
        return !endpoint.tableList().isEmpty();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        try (Connection connection = dataSource.getConnection()) {
            Position at = Positions.declare(connection, name());
            position.set(at.seq());
            failed = at.failed();
        }
        projectors.started(this);
        MeterRegistry registry = projectors.meters();
        meters.add(Gauge.builder("herald.projection.position", position, AtomicLong::get).tag("projection", name())
                .description("seq of the last event the projection took").register(registry));
        meters.add(Gauge.builder("herald.projection.lag", lag, AtomicLong::get).tag("projection", name())
                .description("events of its types committed after its position").register(registry));
        meters.add(Gauge.builder("herald.projection.failed", this, p -> p.failed ? 1 : 0).tag("projection", name())
                .description("1 while the projection is stopped at an event it could not apply").register(registry));
        applied = Counter.builder("herald.projection.applied").tag("projection", name())
                .description("events the projection applied").register(registry);
        meters.add(applied);
        running = true;
        thread = new Thread(this, "herald-projection-" + name());
        thread.setDaemon(true);
        thread.start();
        if (shipper != null) {
            shipper.start();
        }
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        wake();
        if (thread != null) {
            thread.join(Duration.ofSeconds(30).toMillis());
        }
        spans.endAll("not applied: the projection stopped before its transaction committed", true);
        projectors.stopped(this);
        if (shipper != null) {
            shipper.stop();
        }
        meters.forEach(projectors.meters()::remove);
        meters.clear();
        super.doStop();
    }

    /** Look again now (after an operator's retry or rebuild) instead of at the next interval. */
    void wake() {
        synchronized (waiting) {
            waiting.notifyAll();
        }
    }

    void requestRebuild() {
        rebuildError = null;
        rebuildRequested = true;
        wake();
    }

    @Override
    public void run() {
        Duration backoff = settings.interval();
        int limit = settings.batchSize();
        while (running) {
            int next;
            round = List.of();
            try {
                next = rebuildRequested ? rebuild() : step(limit);
                backoff = settings.interval();
                measureLag(next == 0);
            } catch (SQLException | RuntimeException e) {
                // the line carries the trace ids of the round's events (trace_ids), once they were read
                try (Traces.Logged logged = Traces.logged(round, StoredEvent::traceparent)) {
                    LOG.warn("projection {}: a round failed ({}); trying again in {} ms", name(), e.getMessage(),
                            backoff.toMillis());
                }
                pause(backoff);
                Duration doubled = backoff.multipliedBy(2);
                backoff = doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
                continue;
            }
            if (next == 0) {
                limit = settings.batchSize();
                pause(settings.interval());
            } else {
                limit = next;
            }
        }
    }

    /**
     * One transaction: the next events after the position, each through the route, then the position. Answers how
     * many events to read next without waiting (0: wait for the interval).
     */
    private int step(int limit) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            Positions.Look look = Positions.look(connection, name());
            failed = look.failed();
            if (failed || !look.waiting()) {
                return 0; // a quiet projection neither locks nor writes
            }
            connection.setAutoCommit(false);
            TransactionSynchronizationManager.bindResource(dataSource, new ConnectionHolder(connection));
            try {
                Optional<Position> at = Positions.lock(connection, name());
                if (at.isEmpty() || at.get().failed()) {
                    failed = at.isPresent();
                    connection.rollback();
                    return 0;
                }
                failed = false;
                spans.passed(at.get().txId(), at.get().seq());
                List<StoredEvent> events = Positions.next(connection, at.get(), types(), limit);
                round = events;
                if (events.isEmpty()) {
                    connection.rollback();
                    return 0;
                }
                Savepoint before = connection.setSavepoint();
                int taken = 0;
                List<String[]> changed = new ArrayList<>();
                for (int i = 0; i < events.size(); i++) {
                    StoredEvent event = events.get(i);
                    if (!event.consumed()) {
                        continue;
                    }
                    Exception failure = apply(event, changed, true);
                    if (failure == null) {
                        taken++;
                        continue;
                    }
                    connection.rollback(before);
                    if (isTransient(failure)) {
                        connection.rollback();
                        throw new SQLTransientException("applying event " + event.eventId() + " failed: "
                                + failure.getMessage(), failure);
                    }
                    if (taken > 0) {
                        // the events before it are fine: apply them alone, then this one first of its batch
                        connection.rollback();
                        spans.rolledBack("event " + event.eventId() + " of the batch failed: the events before it are"
                                + " applied again alone");
                        return i;
                    }
                    stop(connection, events, i, failure);
                    return 0;
                }
                StoredEvent last = events.get(events.size() - 1);
                if (outputs != null) {
                    outputs.write(connection, changed);
                }
                Positions.advance(connection, name(), last, taken);
                connection.commit();
                spans.committed(events);
                position.set(last.seq());
                applied.increment(taken);
                if (!changed.isEmpty()) {
                    shipper.wake();
                }
                return events.size() == limit ? settings.batchSize() : 0;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                spans.rolledBack(String.valueOf(e.getMessage()));
                throw e;
            } finally {
                TransactionSynchronizationManager.unbindResource(dataSource);
            }
        }
    }

    /**
     * Event {@code i} failed first of its batch: the position moves past the events of other types before it, the
     * projection stops at it and it is dead-lettered, in one transaction.
     */
    private void stop(Connection connection, List<StoredEvent> events, int i, Exception failure)
            throws SQLException {
        StoredEvent event = events.get(i);
        Throwable cause = rootCause(failure);
        String error = "event " + event.eventId() + " (" + event.type() + ", seq " + event.seq() + "): "
                + cause.getMessage();
        if (i > 0) {
            Positions.advance(connection, name(), events.get(i - 1), 0);
            position.set(events.get(i - 1).seq());
        }
        Positions.fail(connection, name(), event, error);
        DeadLetterStore.Recorded recorded = projectors.deadLetters().record(connection, DeadLetter.of(
                Projectors.STAGE, name(), event.eventId(), event.type(), event.aggregateId(), event.envelope(), cause,
                1));
        connection.commit();
        failed = true;
        spans.stopped(event, failure);
        recorded.announce();
        LOG.error("projection {} stopped at {}; it goes on when the dead letter is retried (POST "
                + "/api/projections/{}/retry or the dead-letter API)", name(), error, name());
    }

    /**
     * POST /api/projections/{name}/rebuild: its tables emptied and the whole store replayed, in one transaction, so
     * readers see the old read model until the new one is complete. A failure leaves everything as it was.
     */
    private int rebuild() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            TransactionSynchronizationManager.bindResource(dataSource, new ConnectionHolder(connection));
            try {
                if (Positions.lock(connection, name()).isEmpty()) {
                    connection.rollback();
                    return 0; // another instance holds it; try at the next interval
                }
                rebuilding = true;
                rebuildRequested = false;
                spans.endAll("superseded by a rebuild, which applies every event again", false);
                try (Statement statement = connection.createStatement()) {
                    for (String table : endpoint.tableList()) {
                        statement.executeUpdate("DELETE FROM " + table);
                    }
                }
                Position at = Position.START;
                long taken = 0;
                List<String[]> changed = new ArrayList<>();
                StoredEvent last = null;
                List<StoredEvent> events;
                do {
                    events = Positions.next(connection, at, types(), settings.batchSize());
                    for (StoredEvent event : events) {
                        Exception failure = event.consumed() ? apply(event, changed, false) : null;
                        if (failure != null) {
                            connection.rollback();
                            rebuildError = "rebuild stopped at event " + event.eventId() + " (" + event.type()
                                    + ", seq " + event.seq() + "): " + rootCause(failure).getMessage()
                                    + "; the read model is as it was before the rebuild";
                            LOG.error("projection {}: {}", name(), rebuildError);
                            return 0;
                        }
                        taken += event.consumed() ? 1 : 0;
                        last = event;
                        at = new Position(event.txId(), event.seq(), false);
                    }
                    if (outputs != null) {
                        outputs.write(connection, changed);
                        changed.clear();
                    }
                } while (events.size() == settings.batchSize() && running);
                if (!running) {
                    connection.rollback();
                    rebuildRequested = true;
                    return 0;
                }
                Positions.rebuilt(connection, name(), last, taken);
                connection.commit();
                if (shipper != null) {
                    shipper.wake();
                }
                failed = false;
                position.set(last == null ? 0 : last.seq());
                applied.increment(taken);
                LOG.info("projection {} rebuilt from {} events", name(), taken);
                return settings.batchSize();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                rebuilding = false;
                TransactionSynchronizationManager.unbindResource(dataSource);
            }
        }
    }

    /**
     * The route's steps for one event; answers their failure, if any. With an output topic, the rows they changed
     * (the body they leave, when it is rows) are added to {@code changed}. {@code traced}: the apply is an attempt on
     * the event's span ({@link ApplySpans}, ended once the apply is committed), in the event's trace (a rebuild's replay
     * of the whole store is not traced).
     */
    private Exception apply(StoredEvent event, List<String[]> changed, boolean traced) {
        // the span continues the trace the event was produced in (events.traceparent), like a saga's calls; its
        // context goes with the exchange (headers traceparent, tracestate) for a step that calls out
        Span span = traced ? spans.attempt(event) : Span.getInvalid();
        Exception failure = null;
        Exchange exchange = createExchange(false);
        try {
            Message message = exchange.getMessage();
            message.setBody(parameters(event));
            message.setHeader(EVENT_TYPE, event.type());
            message.setHeader(EVENT_ID, event.eventId().toString());
            message.setHeader(AGGREGATE_ID, event.aggregateId());
            message.setHeader(EVENT_SEQ, event.seq());
            Traces.inject(span.getSpanContext(), message::setHeader);
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            if (exchange.getException() == null && outputs != null
                    && exchange.getMessage().getBody() instanceof List<?> rows) {
                changed.addAll(outputs.of(rows));
            }
            failure = exchange.getException();
        } catch (SQLException | RuntimeException e) {
            failure = e;
        } finally {
            releaseExchange(exchange, false);
            if (failure != null && span.isRecording()) {
                span.recordException(failure); // this attempt's; the span's status is decided when it ends
            }
        }
        return failure;
    }

    /**
     * The SQL parameters of an event: the top-level fields of its data in its type's newest shape (upcast from the
     * version it was stored with, docs/events.md "Upcasting"; objects and arrays as JSON text), then
     * {@code event_id}, {@code event_type}, {@code event_time}, {@code aggregate_type}, {@code aggregate_id},
     * {@code aggregate_version} and {@code seq} (these win over data fields of the same name). A name neither
     * supplies is NULL.
     */
    private SqlParameters parameters(StoredEvent event) {
        JsonNode data;
        try {
            data = projectors.schemas().upcast(event.type(), event.schemaVersion(), data(event.envelope()));
        } catch (IOException e) {
            throw new IllegalStateException("event " + event.eventId() + " has no JSON envelope", e);
        }
        SqlParameters parameters = new SqlParameters(data.isObject() ? SqlParameters.fromJson(data) : Map.of());
        parameters.put("event_id", event.eventId().toString());
        parameters.put("event_type", event.type());
        parameters.put("event_time", event.occurredAt());
        parameters.put("aggregate_type", event.aggregateType());
        parameters.put("aggregate_id", event.aggregateId());
        parameters.put("aggregate_version", event.aggregateVersion());
        parameters.put("seq", event.seq());
        return parameters;
    }

    /**
     * The envelope's {@code data}, read as a tree alone: the envelope's other fields are skipped, not built into
     * nodes (once per event, a visible share of its cost: docs/performance.md "Projections"). Missing when it has none.
     */
    static JsonNode data(String envelope) throws IOException {
        try (JsonParser parser = JsonBodies.MAPPER.createParser(envelope)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(parser, "an envelope is a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if ("data".equals(field)) {
                    JsonNode data = DATA.readTree(parser);
                    return data == null ? MissingNode.getInstance() : data;
                }
                parser.skipChildren();
            }
            return MissingNode.getInstance();
        }
    }

    private void measureLag(boolean idle) {
        long now = System.nanoTime();
        if (!idle && now - lagMeasuredAt < LAG_EVERY.toNanos()) {
            return;
        }
        lagMeasuredAt = now;
        try (Connection connection = dataSource.getConnection()) {
            lag.set(Positions.lag(connection, name(), types()));
        } catch (SQLException e) {
            LOG.debug("projection {}: lag not measured: {}", name(), e.getMessage());
        }
    }

    /** A lost connection, a server going away, a deadlock or serialization failure: worth trying again. */
    private static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientException || cause instanceof SQLRecoverableException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")
                        || state.equals("40001") || state.equals("40P01")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The innermost SQLException (the database's own words), else the failure itself. */
    private static Throwable rootCause(Throwable failure) {
        Throwable found = failure;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException) {
                found = cause;
            }
        }
        return found;
    }

    private void pause(Duration duration) {
        synchronized (waiting) {
            if (!running) {
                return;
            }
            try {
                waiting.wait(duration.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }
}
