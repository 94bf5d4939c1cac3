package dev.herald.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ValidationMessage;
import dev.herald.http.JsonBodies;
import dev.herald.command.Refusal;
import dev.herald.command.Unavailable;
import dev.herald.contract.EventContractViolation;
import dev.herald.http.Problem;
import dev.herald.observe.CommandMeters;
import dev.herald.http.SqlProblems;
import java.sql.SQLException;
import java.util.function.Predicate;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.jsonvalidator.JsonValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Renders whatever stopped a request as RFC 9457 application/problem+json (used by routes/errors.camel.yaml). */
public final class ProblemResponder {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemResponder.class);
    public static final String CONTENT_TYPE = "application/problem+json";

    private final CommandMeters meters;
    private final Predicate<String> commandRoutes;
    private final int retryAfterSeconds;

    /** {@code commandRoutes}: which routes are commands, so their refusals are counted (schema ones too). */
    public ProblemResponder(CommandMeters meters, Predicate<String> commandRoutes, int retryAfterSeconds) {
        this.meters = meters;
        this.commandRoutes = commandRoutes;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public void respond(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Problem problem = toProblem(failure, retryAfterSeconds);
        if (commandRoutes.test(exchange.getFromRouteId())) {
            meters.rejected(exchange.getFromRouteId(), problem.type());
        }
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, problem.status());
        out.setHeader(Exchange.CONTENT_TYPE, CONTENT_TYPE);
        problem.headers().forEach(out::setHeader);
        out.setBody(render(problem, exchange.getIn().getHeader(Exchange.HTTP_URI, String.class),
                RequestTracing.traceId(exchange)));
    }

    public static String render(Problem problem, String instance) {
        return render(problem, instance, null);
    }

    /** {@code traceId}: the request's trace, so a client can quote it (the member {@code trace_id}); null: none. */
    public static String render(Problem problem, String instance, String traceId) {
        ObjectNode body = JsonBodies.MAPPER.createObjectNode();
        body.put("type", problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        if (instance != null) {
            body.put("instance", instance);
        }
        problem.extensions().forEach((key, value) -> body.set(key, JsonBodies.MAPPER.valueToTree(value)));
        if (traceId != null) {
            body.put("trace_id", traceId);
        }
        return body.toString();
    }

    static Problem toProblem(Throwable failure, int retryAfterSeconds) {
        if (failure instanceof Problem problem) {
            return problem;
        }
        // a database refusal is told by its SQLSTATE, below
        if (failure instanceof Refusal refusal && refusal.reason() != Refusal.Reason.DATABASE_REFUSED) {
            return problemOf(refusal);
        }
        if (failure instanceof Unavailable unavailable) {
            return Problem.unavailable(unavailable.reason().type(), unavailable.getMessage(), retryAfterSeconds,
                    unavailable.getCause());
        }
        if (failure instanceof EventContractViolation violation) {
            return problemOf(violation);
        }
        SQLException refused = causeOf(failure, SQLException.class);
        if (refused != null && SqlProblems.of(refused, retryAfterSeconds) instanceof Problem problem) {
            return problem; // a sql: step of a route, or of a command (the lane refuses it with the SQLException)
        }
        JsonProcessingException malformed = causeOf(failure, JsonProcessingException.class);
        if (malformed != null) {
            return Problem.badRequest("malformed-json", "the body is not valid JSON: " + malformed.getOriginalMessage())
                    .with("line", malformed.getLocation() == null ? null : malformed.getLocation().getLineNr())
                    .with("column", malformed.getLocation() == null ? null : malformed.getLocation().getColumnNr());
        }
        if (failure instanceof JsonValidationException invalid) {
            Problem problem = Problem.badRequest("schema-violation", "the body does not match the command's schema ("
                    + invalid.getNumberOfErrors() + " errors)");
            ArrayNode errors = JsonBodies.MAPPER.createArrayNode();
            for (ValidationMessage message : invalid.getErrors()) {
                ObjectNode error = errors.addObject();
                error.put("pointer", message.getInstanceLocation().toString());
                error.put("keyword", message.getType());
                error.put("detail", message.getMessage());
            }
            return problem.with("errors", errors);
        }
        Problem wrapped = causeOf(failure, Problem.class);
        if (wrapped != null) {
            return wrapped;
        }
        LOG.error("unexpected failure", failure);
        return new Problem(500, "internal", "Internal error",
                "the hub failed unexpectedly; nothing of the request was kept (see the hub's log)");
    }

    private static <T extends Throwable> T causeOf(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    /**
     * A command whose SQL returned data its event schema refuses: the declaration's bug, not the client's, so 500,
     * logged, with every failing field named. Nothing of the command was kept.
     */
    static Problem problemOf(EventContractViolation violation) {
        LOG.error("event contract violated, the command was not kept: {}", violation.getMessage());
        ArrayNode errors = JsonBodies.MAPPER.createArrayNode();
        for (EventContractViolation.Error failing : violation.errors()) {
            errors.addObject().put("pointer", failing.pointer()).put("keyword", failing.keyword())
                    .put("detail", failing.detail());
        }
        return new Problem(500, "event-contract-violation", "Event contract violated", "the command's SQL returned "
                + "data that breaks the schema of event " + violation.eventType() + " version " + violation.version()
                + " (a bug in its declaration); nothing was kept: " + violation.getMessage())
                .with("eventType", violation.eventType()).with("eventVersion", violation.version())
                .with("errors", errors);
    }

    /** The only place a refused command becomes an HTTP status. */
    static Problem problemOf(Refusal refusal) {
        Problem problem = switch (refusal.reason()) {
            case UNKNOWN_AGGREGATE -> Problem.notFound(refusal.getMessage());
            case VERSION_MISMATCH -> new Problem(412, "version-mismatch", "Precondition failed", refusal.getMessage());
            case STATE_CONFLICT -> Problem.conflict("state-conflict", refusal.getMessage());
            case IDEMPOTENCY_KEY_REUSED -> Problem.unprocessable("idempotency-key-reused", refusal.getMessage());
            case EVENT_REFUSED -> Problem.unprocessable("event-refused", refusal.getMessage());
            // a database refusal no SQLSTATE class explains: a fault of the declaration, not of the request
            case DATABASE_REFUSED -> new Problem(500, "internal", "Internal error", refusal.getMessage());
        };
        refusal.facts().forEach(problem::with);
        return problem;
    }
}
