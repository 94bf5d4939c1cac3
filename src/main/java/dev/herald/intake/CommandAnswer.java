package dev.herald.intake;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.command.CommandResult;
import dev.herald.command.Publication;
import dev.herald.http.JsonBodies;
import dev.herald.observe.CommandMeters;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/** The last step of a command route: the command's outcome as the HTTP answer (201 published, 202 pending). */
public final class CommandAnswer implements Processor {

    private final CommandMeters meters;

    public CommandAnswer(CommandMeters meters) {
        this.meters = meters;
    }

    @Override
    public void process(Exchange exchange) {
        CommandResult result = exchange.getProperty(CommandResult.PROPERTY, CommandResult.class);
        if (result == null) {
            throw new IllegalStateException("route " + exchange.getFromRouteId() + " answers a command before its "
                    + "groupCommit policy ran");
        }
        meters.accepted(exchange.getFromRouteId(), result.replayed() ? "replayed" : result.publication().label());
        ObjectNode body = JsonBodies.MAPPER.createObjectNode();
        body.put("command_id", result.commandId().toString());
        body.put("aggregate_type", result.aggregateType());
        body.put("aggregate_id", result.aggregateId());
        body.put("version", result.version());
        ObjectNode event = body.putObject("event");
        event.put("id", result.eventId().toString());
        event.put("type", result.eventType());
        event.put("topic", result.topic());
        event.put("status", result.publication().label());
        // the only place a command's outcome becomes an HTTP status
        Message out = JsonBodies.answer(exchange, result.confirmed() == Publication.PUBLISHED ? 201 : 202, body);
        out.setHeader("Location", result.location());
        out.setHeader("ETag", "\"" + result.version() + "\"");
        if (result.replayed()) {
            out.setHeader("Idempotent-Replayed", "true");
        }
    }
}
