package dev.herald.reaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.command.Inbound;
import dev.herald.http.HeraldStep;
import dev.herald.intake.InProcessCommand;
import dev.herald.trace.Traces;
import java.io.IOException;
import java.sql.SQLException;
import org.apache.camel.Component;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * {@code herald:apply?command=order.cancel}: applies the inbound event, mapped to a command body (the body) and an
 * aggregate id (header {@code id}), through the named command's own route, in-process: the same schema validation,
 * the same transaction (which also records the event in the inbox), the same event published, as a request to
 * {@code POST /api/orders/{id}/cancel} ({@link InProcessCommand}), with the inbound event's identity as the
 * Idempotency-Key ({@link Inbound}), and reads its answer:
 * <ul>
 * <li>2xx: applied, or a replay when the event was applied before (the body becomes the command's answer);</li>
 * <li>408, 429, 5xx: not now (database or Kafka down, overloaded): an exception, which the reaction retries;</li>
 * <li>any other 4xx: refused for good, an {@link InboundRejected} naming the problem.</li>
 * </ul>
 */
public final class ApplyEndpoint extends HeraldStep {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The aggregate id the mapping gave, kept for a dead letter. */
    static final String AGGREGATE_ID_PROPERTY = "HeraldInboundAggregateId";

    private final ReactionSteps steps;
    private String command;

    ApplyEndpoint(String uri, Component component, ReactionSteps steps) {
        super(uri, component, "apply");
        this.steps = steps;
    }

    /** Checked when the route is created. */
    public void check() {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("herald:apply needs the option command (the route id of a command)");
        }
    }

    @Override
    protected void apply(Exchange exchange) throws Exception {
        Inbound inbound = exchange.getProperty(Inbound.PROPERTY, Inbound.class);
        if (inbound == null) {
            throw new IllegalStateException("route " + exchange.getFromRouteId() + " reaches herald:apply without "
                    + "an inbound event: place herald:inbound before it");
        }
        String aggregateId = aggregateId(exchange.getIn());
        exchange.setProperty(AGGREGATE_ID_PROPERTY, aggregateId);
        // the other service's trace goes on (CloudEvents distributed-tracing extension): the command's span is its child
        String traceparent = exchange.getProperty(InboundEndpoint.TRACEPARENT_PROPERTY, String.class);
        Exchange call;
        try {
            call = InProcessCommand.apply(getCamelContext(), command, aggregateId,
                    MAPPER.writeValueAsBytes(exchange.getIn().getBody(JsonNode.class)), request -> {
                        request.setProperty(Inbound.PROPERTY, inbound);
                        if (traceparent != null) {
                            request.getIn().setHeader(Traces.TRACEPARENT, traceparent);
                        }
                    });
        } catch (InProcessCommand.NotRunning e) {
            throw new NotAppliedNow("reaction " + inbound.reaction() + ": " + e.getMessage(), null);
        }
        answered(exchange, inbound, call);
    }

    /** The mapped aggregate id (the reaction's jq result: text or a number), or null for a command creating one. */
    private static String aggregateId(Message in) {
        Object id = in.getHeader("id");
        if (id instanceof JsonNode node) {
            return node.isNull() || node.isMissingNode() ? null : node.asText();
        }
        return id == null ? null : id.toString();
    }

    private void answered(Exchange exchange, Inbound inbound, Exchange call) throws SQLException {
        if (call.getException() != null) {
            throw new NotAppliedNow("command " + command + " failed: " + call.getException().getMessage(),
                    call.getException());
        }
        Message answer = call.getMessage();
        int status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 500, Integer.class);
        String body = answer.getBody(String.class);
        if (status >= 200 && status < 300) {
            boolean replayed = "true".equals(answer.getHeader("Idempotent-Replayed", String.class));
            steps.meters().applied(inbound.reaction(), replayed);
            exchange.getMessage().setBody(body);
            return;
        }
        if (status == 408 || status == 429 || status >= 500) {
            throw new NotAppliedNow("command " + command + " could not be applied now (" + status + "): "
                    + detail(body), null);
        }
        // two deliveries racing (a rebalance): the other one's transaction recorded the event first
        if (steps.inbox().holds(inbound)) {
            steps.meters().applied(inbound.reaction(), true);
            return;
        }
        throw new InboundRejected("command " + command + " refused it (" + status + "): " + detail(body));
    }

    /** A problem answer's type and detail. */
    private static String detail(String body) {
        try {
            JsonNode problem = MAPPER.readTree(body == null ? "{}" : body);
            return problem.path("detail").asText(body) + " [" + problem.path("type").asText("") + "]";
        } catch (IOException e) {
            return body;
        }
    }

    /** The route id of the command the reaction applies, e.g. order.cancel. */
    public String getCommand() {
        return command;
    }

    public void setCommand(String command) {
        this.command = command;
    }
}
