package dev.herald.publish;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.herald.command.Command;
import dev.herald.command.CommandResult;
import dev.herald.store.SqlRows;
import dev.herald.trace.Traces;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.spi.Policy;

/**
 * {@code policy: {ref: groupCommit, steps: [...]}}: the steps inside apply a command, inside the transaction of
 * the lane its aggregate hashes to, beside the other commands of the batch. After them the store appends the event
 * (their result is its data), the lane publishes it and commits. Camel's {@code transacted} cannot do this: it runs
 * one exchange per transaction, on the caller's thread; group commit runs many exchanges' steps on the lane's
 * thread in one transaction, so camel-sql's JdbcTemplate joins the lane's connection (bound to that thread).
 *
 * <p>The steps run without the route's error handler: a failure must reach the lane as itself (the lane decides
 * between the command's 4xx, redoing the batch carefully, or a 503), not as an answer already rendered. They run on a
 * copy of the exchange each time, since the careful path may run them again.
 */
public final class GroupCommitPolicy implements Policy {

    private static final AttributeKey<String> COMMAND_ID = AttributeKey.stringKey("herald.command_id");

    private final GroupCommitter committer;
    private final Traces traces;
    private final Map<Route, ProcessorDefinition<?>> beingWrapped = new ConcurrentHashMap<>();

    public GroupCommitPolicy(GroupCommitter committer, Traces traces) {
        this.committer = committer;
        this.traces = traces;
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // read by the reifier as it wraps the steps inside; put back in wrap(), before the policy step itself is
        // wrapped, so a refused command still reaches the route's error handler (problem+json)
        ProcessorDefinition<?> policy = (ProcessorDefinition<?>) definition;
        policy.setInheritErrorHandler(false);
        withoutErrorHandler(policy.getOutputs());
        beingWrapped.put(route, policy);
    }

    private static void withoutErrorHandler(List<ProcessorDefinition<?>> steps) {
        for (ProcessorDefinition<?> step : steps) {
            step.setInheritErrorHandler(false);
            withoutErrorHandler(step.getOutputs());
        }
    }

    @Override
    public Processor wrap(Route route, Processor steps) {
        ProcessorDefinition<?> policy = beingWrapped.remove(route);
        if (policy != null) {
            policy.setInheritErrorHandler(null);
        }
        return exchange -> {
            Command command = exchange.getProperty(Command.PROPERTY, Command.class);
            if (command == null) {
                throw new IllegalStateException("route " + exchange.getFromRouteId() + " reaches its groupCommit "
                        + "policy without a command: place a herald:command step before it");
            }
            Span publish = publishSpan(exchange, command);
            CommandResult result;
            try {
                result = committer.submit(command.tracedAs(Traces.traceparent(publish.getSpanContext()))
                        .changingStateWith(parameters -> run(steps, exchange, parameters, publish)));
            } catch (RuntimeException e) {
                if (publish.isRecording()) {
                    publish.recordException(e);
                    publish.setStatus(StatusCode.ERROR);
                }
                throw e;
            } finally {
                publish.end();
            }
            exchange.setProperty(CommandResult.PROPERTY, result);
        };
    }

    /**
     * The command's span, child of the request's server span: from its submission to the lane until its batch
     * committed (database and Kafka); its context is the event's (envelope attribute and Kafka header).
     */
    private Span publishSpan(Exchange exchange, Command command) {
        Span request = exchange.getProperty(Traces.SPAN_PROPERTY, Span.class);
        Span span = traces.start(command.declaration().eventType() + " publish", SpanKind.PRODUCER,
                request == null ? SpanContext.getInvalid() : request.getSpanContext());
        if (span.isRecording()) {
            span.setAttribute(Traces.DESTINATION, command.declaration().topic());
            span.setAttribute(COMMAND_ID, command.commandId().toString());
        }
        return span;
    }

    /**
     * On the lane's thread: the steps on a fresh copy of the request, their rows handed to the store; their log lines
     * carry the command's trace id (the batch's lines, the batch's).
     */
    private static ArrayNode run(Processor steps, Exchange request, Map<String, Object> parameters, Span publish)
            throws SQLException {
        Exchange attempt = request.copy();
        attempt.getIn().setBody(parameters);
        try (Traces.Logged logged = Traces.logged(publish.getSpanContext())) {
            steps.process(attempt);
        } catch (Exception e) {
            attempt.setException(e);
        }
        Exception failure = attempt.getException();
        if (failure != null) {
            throw rethrown(failure);
        }
        return SqlRows.of(attempt.getMessage().getBody());
    }

    /** A database refusal as the SQLException the lane classifies (camel-sql hands Spring's wrapper of it). */
    private static SQLException rethrown(Exception failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return sql;
            }
        }
        throw failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
    }
}
