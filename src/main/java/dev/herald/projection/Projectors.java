package dev.herald.projection;

import dev.herald.contract.EventSchemas;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.http.Problem;
import dev.herald.trace.Traces;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import javax.sql.DataSource;
import org.apache.camel.Component;

/**
 * The projections of this hub: makes their endpoints ({@code herald:projection:<name>}), knows the running ones by
 * name for the operator API, and takes their dead letters back (stage {@code projection}, destination the
 * projection's name): a retry resumes the projection at that event, a discard skips it.
 */
public final class Projectors {

    /** The dead-letter stage of every projection. */
    public static final String STAGE = "projection";

    private final DataSource dataSource;
    private final DeadLetterStore deadLetters;
    private final MeterRegistry meters;
    private final ProjectionSettings settings;
    private final String brokers;
    private final EventSchemas schemas;
    private final Traces traces;
    private final Map<String, Projector> running = new ConcurrentSkipListMap<>();

    /**
     * {@code brokers}: Kafka, for projections that declare an output topic; {@code schemas}: the event schemas whose
     * upcasters bring each event to its type's newest shape before a projection's route sees it; {@code traces}:
     * where each event's apply span goes.
     */
    public Projectors(DataSource dataSource, DeadLetterStore deadLetters, MeterRegistry meters,
            ProjectionSettings settings, String brokers, EventSchemas schemas, Traces traces) {
        this.traces = traces;
        this.brokers = brokers;
        this.schemas = schemas;
        this.dataSource = dataSource;
        this.deadLetters = deadLetters;
        this.meters = meters;
        this.settings = settings;
        deadLetters.onRetry(STAGE, new DeadLetterStore.Redelivery() {
            @Override
            public void redeliver(Connection transaction, UUID eventId, String projection) throws SQLException {
                known(projection);
                Positions.resume(transaction, projection, eventId);
                named(projection).wake();
            }

            @Override
            public void discarded(Connection transaction, UUID eventId, String projection) throws SQLException {
                if (running.containsKey(projection) && Positions.skip(transaction, projection, eventId)) {
                    named(projection).wake();
                }
            }
        });
    }

    /** {@code herald:projection:<name>?...}; the component sets its options, then {@link ProjectionEndpoint#check}. */
    public ProjectionEndpoint endpoint(String uri, Component component, String name) {
        return new ProjectionEndpoint(uri, component, name, this);
    }

    void started(Projector projector) {
        Projector other = running.putIfAbsent(projector.name(), projector);
        if (other != null && other != projector) {
            throw new IllegalStateException("projection " + projector.name() + " is declared twice (routes "
                    + other.getRouteId() + " and " + projector.getRouteId() + ")");
        }
    }

    void stopped(Projector projector) {
        running.remove(projector.name(), projector);
    }

    Collection<Projector> all() {
        return running.values();
    }

    /** The running projection of that name; 404 problem if there is none. */
    Projector named(String name) {
        Projector projector = name == null ? null : running.get(name);
        if (projector == null) {
            throw Problem.notFound("projection " + name + " is not declared");
        }
        return projector;
    }

    private void known(String projection) {
        if (!running.containsKey(projection)) {
            throw Problem.conflict("not-retriable", "projection " + projection + " is not declared (any more)");
        }
    }

    DataSource dataSource() {
        return dataSource;
    }

    DeadLetterStore deadLetters() {
        return deadLetters;
    }

    MeterRegistry meters() {
        return meters;
    }

    String brokers() {
        return brokers;
    }

    ProjectionSettings settings() {
        return settings;
    }

    EventSchemas schemas() {
        return schemas;
    }

    Traces traces() {
        return traces;
    }
}
