package dev.herald.saga;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code herald:saga-request?saga=<type>&service=<name>} or {@code ?saga=<type>&command=<route id>}: the step before a
 * saga call's {@code http:}. It fills the path template (exchange property {@code HeraldSagaPath}) and the body
 * template (the body) from the saga's data and points the call at the service's URL (herald.services.&lt;name&gt;.url,
 * read when the call is made) through {@code CamelHttpUri}; for a command, at the command route's own path on this
 * hub, with its method and the saga's API key. {@code http:} needs a fixed address in its URI, which a service that
 * is set or not, per run, does not have.
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
        String path;
        String base;
        exchange.setProperty(SagaRunner.SERVICE, command.isBlank() ? service : "herald");
        if (command.isBlank()) {
            path = exchange.getProperty(PATH, "", String.class);
            base = runners.serviceUrl(service);
        } else {
            RouteDefinition route = getCamelContext().getCamelContextExtension().getContextPlugin(Model.class)
                    .getRouteDefinition(command);
            path = parameter(getCamelContext(), route, "path").replace("{id}", exchange.getProperty(COMMAND_ID, "", String.class));
            base = runners.selfUrl();
            message.setHeader(Exchange.HTTP_METHOD, parameter(getCamelContext(), route, "method"));
            if (!runners.commandKey().isBlank()) {
                message.setHeader("Authorization", "Bearer " + runners.commandKey());
            }
        }
        message.setHeader(Exchange.HTTP_URI, base + Templates.path(path, data));
        String body = message.getBody(String.class);
        if (body == null || body.isBlank()) {
            message.setBody(null);
        } else {
            message.setBody(Templates.body(body, data));
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
    }

    /** A templated command route's parameter (path, method), placeholders resolved. */
    static String parameter(CamelContext camel, RouteDefinition route, String name) {
        Object value = route.getTemplateParameters() == null ? null : route.getTemplateParameters().get(name);
        if (value == null) {
            throw new IllegalArgumentException("route " + route.getRouteId() + " is not a templated command (no "
                    + name + ")");
        }
        return camel.resolvePropertyPlaceholders(value.toString());
    }
}
