package dev.herald.intake;

import dev.herald.http.HeraldStep;
import dev.herald.trace.Traces;
import org.apache.camel.Component;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * {@code herald:submit?command=order.confirm}: the body (JSON, none reads as {@code {}}) as a request to the named
 * command's route for the aggregate in header {@code id}, applied in-process ({@link InProcessCommand}): the same
 * validation, transaction, event and answer as {@code POST /api/orders/{id}/confirm}, with the exchange's
 * {@code Idempotency-Key} (a repeat replays the first answer) and {@code traceparent}. The answer becomes the message,
 * as {@code http:} with {@code throwExceptionOnFailure=false} leaves it: the status in {@code CamelHttpResponseCode}
 * and the body (problem+json for a refusal). A saga's Herald commands go this way, not through an HTTP call to the hub
 * itself: no connection, serialisation, server hop or API key for a request the hub makes to itself.
 */
public final class SubmitEndpoint extends HeraldStep {

    /** What the command route reads of the request besides the body and the id. */
    private static final String[] PASSED_ON = {"Idempotency-Key", Traces.TRACEPARENT, Traces.TRACESTATE};

    private String command;

    public SubmitEndpoint(String uri, Component component) {
        super(uri, component, "submit");
    }

    /** Checked when the route is created. */
    public void check() {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("herald:submit needs the option command (the route id of a command)");
        }
    }

    @Override
    protected void apply(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        Exchange call = InProcessCommand.apply(getCamelContext(), command, message.getHeader("id", String.class),
                message.getBody(byte[].class), request -> {
                    for (String header : PASSED_ON) {
                        Object value = message.getHeader(header);
                        if (value != null) {
                            request.getIn().setHeader(header, value);
                        }
                    }
                });
        if (call.getException() != null) {
            throw call.getException();
        }
        Message answer = call.getMessage();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.getHeader(Exchange.HTTP_RESPONSE_CODE));
        message.setBody(answer.getBody());
    }

    /** The route id of the command, e.g. order.confirm. */
    public String getCommand() {
        return command;
    }

    public void setCommand(String command) {
        this.command = command;
    }
}
