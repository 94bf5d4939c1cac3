package dev.herald.publish;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.herald.command.Command;
import dev.herald.command.CommandResult;
import dev.herald.store.SqlRows;
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

    private final GroupCommitter committer;
    private final Map<Route, ProcessorDefinition<?>> beingWrapped = new ConcurrentHashMap<>();

    public GroupCommitPolicy(GroupCommitter committer) {
        this.committer = committer;
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
            CommandResult result = committer.submit(command.changingStateWith(
                    parameters -> run(steps, exchange, parameters)));
            exchange.setProperty(CommandResult.PROPERTY, result);
        };
    }

    /** On the lane's thread: the steps on a fresh copy of the request, their rows handed to the store. */
    private static ArrayNode run(Processor steps, Exchange request, Map<String, Object> parameters)
            throws SQLException {
        Exchange attempt = request.copy();
        attempt.getIn().setBody(parameters);
        try {
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
