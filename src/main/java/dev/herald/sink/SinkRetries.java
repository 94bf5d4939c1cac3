package dev.herald.sink;

import dev.herald.deadletter.DeadLetterStore;
import dev.herald.http.Problem;
import dev.herald.trace.Traces;
import io.opentelemetry.api.trace.Span;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;

/**
 * How an operator's retry of a sink's dead letter is delivered. A sink route uses the route configuration
 * {@code sinks} and hands each event to one {@code direct:} endpoint, the sink's own steps; the retry sends the
 * event, read back from the event table as it was published, to that endpoint with the Kafka topic and key
 * headers the steps saw the first time. Like the RabbitMQ bridge's retry it runs inside the operator's
 * transaction: should the sink fail again, the operator gets a 503 and the dead letter stays open. The retry is a
 * span {@code sink <route id> deliver} of the event's trace ({@link SinkSpan#retry}), an error if it failed again.
 */
public final class SinkRetries {

    /** The route configuration every sink route names (routes/sinks.camel.yaml). */
    public static final String CONFIGURATION = "sinks";

    private final CamelContext camel;
    private final SinkSpan spans;
    private ProducerTemplate producer;

    private SinkRetries(CamelContext camel, SinkSpan spans) {
        this.camel = camel;
        this.spans = spans;
    }

    /** After the routes are loaded: one retry per sink route, as stage {@code sink:<route id>}. */
    public static void register(CamelContext camel, DeadLetterStore deadLetters, SinkSpan spans) {
        SinkRetries retries = new SinkRetries(camel, spans);
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        for (RouteDefinition route : model.getRouteDefinitions()) {
            String configurations = route.getRouteConfigurationId();
            if (configurations == null || !Arrays.asList(configurations.split("\\s*,\\s*")).contains(CONFIGURATION)) {
                continue;
            }
            List<String> steps = route.getOutputs().stream().filter(ToDefinition.class::isInstance)
                    .map(to -> ((ToDefinition) to).getUri()).filter(uri -> uri.startsWith("direct:")).toList();
            if (route.getRouteId() == null || steps.size() != 1) {
                throw new IllegalStateException("sink route " + route.getRouteId() + " (route configuration "
                        + CONFIGURATION + ") needs an id and one step `to: direct:<its steps>`, found " + steps);
            }
            String stepsUri = steps.get(0);
            String routeId = route.getRouteId();
            deadLetters.onRetry(SinkErrors.STAGE + routeId,
                    (transaction, eventId, destination) -> retries.redeliver(transaction, eventId, routeId, stepsUri));
        }
    }

    private void redeliver(Connection transaction, UUID eventId, String routeId, String stepsUri)
            throws SQLException {
        Exchange exchange;
        Span[] span = {Span.getInvalid()};
        try (PreparedStatement select = transaction.prepareStatement(
                "SELECT envelope, topic, aggregate_id FROM events WHERE event_id = ?")) {
            select.setObject(1, eventId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw Problem.conflict("not-retriable", "event " + eventId + " is no longer in the event table");
                }
                byte[] envelope = row.getString(1).getBytes(StandardCharsets.UTF_8);
                String topic = row.getString(2);
                String key = row.getString(3);
                exchange = producer().send(stepsUri, e -> {
                    e.getMessage().setBody(envelope);
                    e.getMessage().setHeader(KafkaConstants.TOPIC, topic);
                    e.getMessage().setHeader(KafkaConstants.KEY, key);
                    span[0] = spans.retry(routeId, e.getMessage());
                });
            }
        }
        if (exchange.getException() != null) {
            Traces.failed(span[0], exchange.getException());
        }
        span[0].end();
        if (exchange.getException() != null) {
            throw Problem.unavailable("sink-failed", "the sink " + stepsUri + " failed again: "
                    + exchange.getException().getMessage(), 5, exchange.getException());
        }
    }

    private synchronized ProducerTemplate producer() {
        if (producer == null) {
            producer = camel.createProducerTemplate();
        }
        return producer;
    }
}
