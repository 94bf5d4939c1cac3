package dev.herald.saga;

import dev.herald.deadletter.DeadLetterStore;
import dev.herald.http.Problem;
import dev.herald.trace.Traces;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.apache.camel.Component;

/**
 * The sagas of this hub: makes their endpoints ({@code herald:saga:<type>}, {@code herald:saga-request}) and holds
 * what they share: the saga tables, the declared services' URLs.
 */
public final class SagaRunners {

    /** The dead-letter stage of every saga (destination: its type). */
    public static final String STAGE = "saga";

    private final SagaStore store;
    private final DataSource dataSource;
    private final DeadLetterStore deadLetters;
    private final MeterRegistry meters;
    private final SagaSettings settings;
    private final UnaryOperator<String> serviceUrls;
    private final Traces traces;

    /** {@code serviceUrls}: a service's base URL by name (empty: not set). */
    public SagaRunners(DataSource dataSource, DeadLetterStore deadLetters, MeterRegistry meters,
            SagaSettings settings, UnaryOperator<String> serviceUrls, Traces traces) {
        this.traces = traces;
        this.store = new SagaStore(dataSource, deadLetters);
        this.dataSource = dataSource;
        this.deadLetters = deadLetters;
        this.meters = meters;
        this.settings = settings;
        this.serviceUrls = serviceUrls;
        // a retried dead letter of stage saga: the failed saga goes back to the call it failed at
        deadLetters.onRetry(STAGE, (transaction, startEventId, type) -> {
            if (!SagaStore.resume(transaction, type, startEventId)) {
                throw Problem.conflict("not-failed", "no " + type + " saga started by event " + startEventId
                        + " has failed");
            }
        });
    }

    public SagaEndpoint endpoint(String uri, Component component, String type) {
        return new SagaEndpoint(uri, component, type, this);
    }

    public RequestEndpoint request(String uri, Component component) {
        return new RequestEndpoint(uri, component, this);
    }

    /** A service's base URL without a trailing slash; empty when it is not set. */
    String serviceUrl(String service) {
        String url = serviceUrls.apply(service);
        return url == null ? "" : url.replaceFirst("/+$", "");
    }

    Traces traces() {
        return traces;
    }

    DataSource dataSource() {
        return dataSource;
    }

    DeadLetterStore deadLetters() {
        return deadLetters;
    }

    SagaStore store() {
        return store;
    }

    MeterRegistry meters() {
        return meters;
    }

    SagaSettings settings() {
        return settings;
    }
}
