package dev.herald.saga;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.saga.SagaStore.Attempt;
import dev.herald.saga.SagaStore.Decision;
import dev.herald.saga.SagaStore.Saga;
import dev.herald.saga.SagaStore.Turn;
import dev.herald.trace.Traces;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer of {@code from: herald:saga:<type>}: claims one instance with a call due (several hubs share the
 * work; a claim is a lease, so a killed hub's sagas are taken over), hands the route that call (exchange property
 * {@code HeraldSagaCall}: {@code payment.action}, {@code inventory.compensation}, {@code completed}...; header
 * {@code Idempotency-Key}), reads the answer and writes the decision in one transaction: 2xx the step is done (its
 * response's fields join the saga's data), 4xx declined (compensate the steps done, in reverse, then the
 * compensation command), anything else retried with backoff until the step's deadline (then, for an action,
 * compensate with reason {@code timeout}, that step included: it may have been done, its answer lost).
 */
public final class SagaRunner extends DefaultConsumer implements Runnable {

    /** Exchange property: the saga's data the request templates are filled from. */
    public static final String DATA = "HeraldSagaData";
    /** Exchange property: which call, i.e. which route of the saga makes it. */
    public static final String CALL = "HeraldSagaCall";
    /** Exchange property a step's action route sets: the saga's reason when the service declines it. */
    public static final String DECLINED = "HeraldSagaDeclined";
    /**
     * Exchange property of a compensation: true when the step's action timed out, so the ids its response would
     * have brought are not in the data; the compensation then goes by the action's Idempotency-Key
     * ({@code action_key}), on the call's {@code unansweredPath} when it declares one.
     */
    public static final String ACTION_UNANSWERED = "HeraldSagaActionUnanswered";
    /** Exchange property herald:saga-request sets: the service called ({@code herald} for a final command). */
    public static final String SERVICE = "HeraldSagaService";

    private static final Logger LOG = LoggerFactory.getLogger(SagaRunner.class);

    private final SagaEndpoint endpoint;
    private final SagaRunners runners;
    private final SagaSettings settings;
    private final SagaStore store;
    private final List<String> steps;
    /** At most this many sagas of this type have a call in flight, across the instances on this database. */
    private final int maxRunning;
    private final Object waiting = new Object();
    private volatile boolean running;
    private final List<Thread> workers = new java.util.ArrayList<>();
    private SagaMeters meters;

    SagaRunner(SagaEndpoint endpoint, Processor route, SagaRunners runners) {
        super(endpoint, route);
        this.endpoint = endpoint;
        this.runners = runners;
        this.settings = runners.settings();
        this.store = runners.store();
        this.steps = endpoint.stepList();
        this.maxRunning = endpoint.maxRunning();
    }

    String type() {
        return endpoint.type();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        List<String> unset = endpoint.unsetServices();
        if (!unset.isEmpty()) {
            // the start checks keep an inactive saga's route stopped; a route started otherwise (live reload, an
            // operator) makes no call to a service without an address
            LOG.warn("saga {} does not run: services {} have no URL (herald.services.<name>.url)", type(), unset);
            return;
        }
        store.releaseClaimsOf(type(), settings.instance());
        meters = new SagaMeters(runners.meters(), type());
        running = true;
        // maxRunning workers (the saga's own, else herald.sagas.max-running), each one saga's call at a time, so one
        // instance alone can reach the limit; the claim keeps it across instances: however many orders a burst
        // brought, at most that many sagas of this type have a call in flight
        for (int i = 1; i <= maxRunning; i++) {
            Thread worker = new Thread(this, "herald-saga-" + type() + "-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        synchronized (waiting) {
            waiting.notifyAll();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (Thread worker : workers) {
            worker.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        workers.clear();
        super.doStop();
    }

    @Override
    public void run() {
        Duration backoff = settings.interval();
        while (running) {
            try {
                if (!advanceOne()) {
                    pause(settings.interval());
                }
                backoff = settings.interval();
            } catch (SQLException | RuntimeException e) {
                LOG.warn("saga {}: a round failed ({}); trying again in {} ms", type(), e.getMessage(),
                        backoff.toMillis());
                pause(backoff);
                Duration doubled = backoff.multipliedBy(2);
                backoff = doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
            }
        }
    }

    /**
     * One saga claimed, and its calls made while each next one is due at once: each decision is written, with the
     * next call begun, before that call is made. False: nothing was due (or the type's limit is reached).
     */
    private boolean advanceOne() throws SQLException {
        Optional<Turn> turn = store.claim(type(), maxRunning, settings.instance(), settings.lease(), this::due);
        if (turn.isEmpty()) {
            return false;
        }
        while (turn.isPresent()) {
            turn = take(turn.get());
        }
        return true;
    }

    /** The call, and its decision; the saga's next call when it goes on at once (still held by this worker). */
    private Optional<Turn> take(Turn turn) throws SQLException {
        Saga saga = turn.saga();
        Call call = turn.call();
        if (turn.attempt().attempts() == 0 && call.action() && call.position() == 0) {
            meters.started();
        }
        long began = System.nanoTime();
        Answer answer = call(saga, call, turn.actionUnanswered());
        Decision decision = decide(saga, call, turn.attempt(), answer, turn.actionUnanswered());
        boolean goesOn = running && decision.callEnded() && decision.retryIn().isZero();
        Optional<Turn> next = store.record(type(), saga, call, decision, goesOn ? this::due : null, settings.lease());
        meters.call(answer.service(), call.phase(), decision.callOutcome(), Duration.ofNanos(System.nanoTime() - began));
        if (decision.sagaEnded()) {
            meters.ended(decision.sagaStatus());
            LOG.info("saga {} {} ({}): {}", type(), saga.id(), saga.correlationId(), decision.sagaStatus());
        }
        return next;
    }

    /** The saga's call due (Call.due: the rule of the order of calls). */
    private Call due(Saga saga) {
        return Call.due(steps, saga.compensating(), saga.currentStep());
    }

    private Answer call(Saga saga, Call call, boolean unanswered) {
        Exchange exchange = createExchange(false);
        try {
            ObjectNode data = saga.data().deepCopy();
            data.put("saga_id", saga.id().toString());
            data.put("correlation_id", saga.correlationId());
            if (saga.reason() != null) {
                data.put("reason", saga.reason());
            }
            if (Call.COMPENSATION.equals(call.phase())) {
                // what the service knows the action by, whether or not its answer came back
                data.put("action_key", new Call(call.step(), Call.ACTION, call.position()).idempotencyKey(saga.id()));
                exchange.setProperty(ACTION_UNANSWERED, unanswered);
            }
            exchange.setProperty(DATA, data);
            exchange.setProperty(CALL, call.route());
            exchange.getMessage().setHeader("Idempotency-Key", call.idempotencyKey(saga.id()));
            // the call continues the trace of the event that started the saga, across its retries and restarts
            Span span = runners.traces().start("saga " + type() + " " + call.route(), SpanKind.CLIENT,
                    Traces.parse(saga.traceparent(), null));
            Traces.inject(span.getSpanContext(), exchange.getMessage()::setHeader);
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            Answer answer = Answer.of(exchange);
            ended(span, answer);
            return answer;
        } finally {
            releaseExchange(exchange, false);
        }
    }

    private static void ended(Span span, Answer answer) {
        if (span.isRecording()) {
            if (answer.status() != null) {
                span.setAttribute(Traces.HTTP_STATUS, (long) answer.status());
            }
            if (answer.outcome() != Answer.Outcome.SUCCEEDED) {
                span.setStatus(StatusCode.ERROR);
            }
        }
        span.end();
    }

    private Decision decide(Saga saga, Call call, Attempt attempt, Answer answer, boolean unanswered) {
        int step = saga.currentStep();
        ObjectNode data = saga.data();
        if (unanswered && answer.outcome() == Answer.Outcome.DECLINED && Integer.valueOf(404).equals(answer.status())) {
            // the service does not know the action's key: the action never took place, there is nothing to undo
            return decision(answer, "succeeded", saga.status(), saga.reason(), data, step - 1, Duration.ZERO);
        }
        return switch (answer.outcome()) {
            case SUCCEEDED -> {
                if (call.action()) {
                    if (answer.response() instanceof ObjectNode fields) {
                        data = data.deepCopy();
                        data.setAll(fields);
                    }
                    yield decision(answer, "succeeded", saga.status(), saga.reason(), data, step + 1, Duration.ZERO);
                }
                if (Call.COMPENSATION.equals(call.phase())) {
                    yield decision(answer, "succeeded", saga.status(), saga.reason(), data, step - 1, Duration.ZERO);
                }
                yield decision(answer, "succeeded", call.step(), saga.reason(), data, step, Duration.ZERO);
            }
            case DECLINED -> call.action()
                    ? decision(answer, "declined", "compensating", answer.declinedReason(), data, step - 1,
                            Duration.ZERO)
                    : decision(answer, "declined", "failed", saga.reason(), data, step, Duration.ZERO);
            case RETRY -> {
                Duration since = Duration.between(attempt.startedAt(), OffsetDateTime.now());
                if (since.compareTo(settings.stepDeadline()) < 0) {
                    yield decision(answer, "pending", saga.status(), saga.reason(), data, step,
                            settings.backoff(attempt.attempts() + 1));
                }
                // a timed-out action may have been done and its answer lost: it is compensated too, by its key
                yield call.action()
                        ? decision(answer, "timed_out", "compensating", "timeout", data, step, Duration.ZERO)
                        : decision(answer, "timed_out", "failed", saga.reason(), data, step, Duration.ZERO);
            }
        };
    }

    private static Decision decision(Answer answer, String callOutcome, String sagaStatus, String reason,
            ObjectNode data, int currentStep, Duration retryIn) {
        return new Decision(callOutcome, answer.status(), answer.error(), answer.response(), sagaStatus, reason,
                data, currentStep, retryIn);
    }

    private void pause(Duration duration) {
        synchronized (waiting) {
            if (!running) {
                return;
            }
            try {
                waiting.wait(Math.max(1, duration.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    /** What a call came back with. */
    record Answer(Outcome outcome, Integer status, JsonNode response, String error, String declinedReason,
            String service) {

        enum Outcome { SUCCEEDED, DECLINED, RETRY }

        static Answer of(Exchange exchange) {
            String service = exchange.getProperty(SERVICE, "unknown", String.class);
            if (exchange.getException() != null) {
                Throwable cause = exchange.getException();
                while (cause.getCause() != null && cause.getCause() != cause) {
                    cause = cause.getCause();
                }
                return new Answer(Outcome.RETRY, null, null, cause.getClass().getSimpleName() + ": "
                        + cause.getMessage(), null, service);
            }
            Message message = exchange.getMessage();
            Integer status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            String body = message.getBody(String.class);
            JsonNode response = parsed(body);
            String declined = exchange.getProperty(DECLINED, "declined", String.class);
            if (status == null) {
                return new Answer(Outcome.RETRY, null, response, "no HTTP status", declined, service);
            }
            if (status >= 200 && status < 300) {
                return new Answer(Outcome.SUCCEEDED, status, response, null, declined, service);
            }
            String error = "HTTP " + status + (body == null || body.isBlank() ? ""
                    : ": " + (body.length() > 500 ? body.substring(0, 500) : body));
            // 408 and 429 say "not now", not "no"
            boolean declinedForGood = status >= 400 && status < 500 && status != 408 && status != 429;
            return new Answer(declinedForGood ? Outcome.DECLINED : Outcome.RETRY, status, response, error, declined, service);
        }

        private static JsonNode parsed(String body) {
            if (body == null || body.isBlank()) {
                return null;
            }
            try {
                return SagaStore.json(body);
            } catch (IllegalStateException e) {
                return null; // not JSON: nothing to feed later steps
            }
        }
    }
}
