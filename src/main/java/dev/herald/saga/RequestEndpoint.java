package dev.herald.saga;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code herald:saga-request?saga=<type>&service=<name>} or {@code ?saga=<type>&command=<route id>}: the step before a
 * saga call's {@code http:} (or, for a command, {@code herald:submit}). It fills the path template (exchange property
 * {@code HeraldSagaPath}) and the body template (the body) from the saga's data and points the call at the service's
 * URL (herald.services.&lt;name&gt;.url, read when the call is made) through {@code CamelHttpUri}; for a command, it
 * fills the aggregate id (header {@code id}) the command's path names. {@code http:} needs a fixed address in its
 * URI, which a service that is set or not, per run, does not have.
 */
public final class RequestEndpoint extends DefaultEndpoint {

    /** Exchange property: the call's path template, e.g. /payments/{payment_id}/refund. */
    public static final String PATH = "HeraldSagaPath";
    /** Exchange property: for a command, the template of its aggregate id, e.g. {order_id}. */
    public static final String COMMAND_ID = "HeraldSagaCommandId";

    private final SagaRunners runners;
    private String saga = "";
    private String service = "";
    private String command = "";

    RequestEndpoint(String uri, Component component, SagaRunners runners) {
        super(uri, component);
        this.runners = runners;
    }

    public void setSaga(String saga) {
        this.saga = saga;
    }

    public String getSaga() {
        return saga;
    }

    public void setService(String service) {
        this.service = service;
    }

    public String getService() {
        return service;
    }

    public void setCommand(String command) {
        this.command = command;
    }

    public String getCommand() {
        return command;
    }

    /** Exactly one of service and command. */
    public void check() {
        if (service.isBlank() == command.isBlank()) {
            throw new IllegalArgumentException("herald:saga-request needs either service=<a declared service> or "
                    + "command=<a command route's id>");
        }
    }

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) {
                prepare(exchange);
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("herald:saga-request is a step, not a route's from:");
    }

    private void prepare(Exchange exchange) {
        JsonNode data = exchange.getProperty(SagaRunner.DATA, JsonNode.class);
        Message message = exchange.getMessage();
        exchange.setProperty(SagaRunner.SERVICE, command.isBlank() ? service : "herald");
        if (command.isBlank()) {
            String path = exchange.getProperty(PATH, "", String.class);
            message.setHeader(Exchange.HTTP_URI, runners.serviceUrl(service) + Templates.path(path, data));
        } else {
            // the aggregate the command's path names ({id}), for herald:submit
            message.setHeader("id", Templates.text(exchange.getProperty(COMMAND_ID, "", String.class), data));
        }
        String body = message.getBody(String.class);
        if (body == null || body.isBlank()) {
            message.setBody(null);
        } else {
            message.setBody(Templates.body(body, data));
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
    }
}
