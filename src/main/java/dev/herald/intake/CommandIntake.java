package dev.herald.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.observe.CommandMeters;
import dev.herald.observe.OutboxMonitor;
import dev.herald.publish.GroupCommitter;
import dev.herald.store.EventStore;
import dev.herald.store.NamedSql;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The Java side of the {@code command} route template: reads the request, then hands the command to the
 * group committer and writes the answer. Everything a command means comes from its YAML declaration, passed
 * as exchange properties named {@code herald.*}.
 */
public final class CommandIntake {

    static final String BODY = "herald.body";
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{(\\w+)}");
    private static final Pattern ENTITY_TAG = Pattern.compile("^(?:W/)?\"?(\\d{1,9})\"?$");
    private static final int MAX_IDEMPOTENCY_KEY = 255;

    private final GroupCommitter committer;
    private final OutboxMonitor monitor;
    private final CommandMeters meters;
    private final Map<String, CommandDeclaration> declarations = new ConcurrentHashMap<>();

    public CommandIntake(GroupCommitter committer, OutboxMonitor monitor, CommandMeters meters) {
        this.committer = committer;
        this.monitor = monitor;
        this.meters = meters;
    }

    /** Step 1: the body must be a JSON object; it is kept parsed and handed on as text to the schema check. */
    public void read(Exchange exchange) {
        Message in = exchange.getIn();
        byte[] body = in.getBody(byte[].class);
        JsonNode json = JsonBodies.parse(body, in.getHeader(Exchange.CONTENT_TYPE, String.class));
        exchange.setProperty(BODY, json);
        in.setBody(json.toString());
    }

    /** Step 3, after the schema check: apply, publish, answer. */
    public void submit(Exchange exchange) {
        monitor.admit();
        CommandDeclaration declaration = declarations.computeIfAbsent(exchange.getFromRouteId(),
                routeId -> declare(routeId, exchange));
        Message in = exchange.getIn();
        JsonNode body = exchange.getProperty(BODY, JsonNode.class);
        String path = exchange.getProperty("herald.path", String.class);
        Map<String, Object> parameters = new HashMap<>();
        body.fields().forEachRemaining(field -> parameters.put(field.getKey(), sqlValue(field.getValue())));
        StringBuilder identity = new StringBuilder(declaration.name());
        Matcher names = PATH_PARAMETER.matcher(path);
        while (names.find()) {
            String value = in.getHeader(names.group(1), String.class);
            parameters.put(names.group(1), value);
            identity.append('\n').append(value);
        }
        String aggregateId = declaration.newAggregate() ? EventStore.newId().toString()
                : in.getHeader("id", String.class);
        String idempotencyKey = idempotencyKey(in);
        String requestHash = JsonBodies.sha256(identity + "\n" + JsonBodies.canonical(body));
        Command command = new Command(declaration, EventStore.newId(), aggregateId, body, expectedVersion(in),
                idempotencyKey, requestHash, parameters);
        CommandResult result = committer.submit(command);
        meters.accepted(declaration.name(), result.replayed() ? "replayed" : result.publication());
        respond(exchange, result);
    }

    private static CommandDeclaration declare(String routeId, Exchange exchange) {
        return new CommandDeclaration(routeId,
                required(exchange, "herald.aggregate"),
                required(exchange, "herald.event"),
                Integer.parseInt(required(exchange, "herald.event-version")),
                required(exchange, "herald.topic"),
                required(exchange, "herald.resource"),
                "new".equals(required(exchange, "herald.id")),
                "outbox".equals(required(exchange, "herald.mode")),
                new NamedSql(required(exchange, "herald.sql")));
    }

    private static String required(Exchange exchange, String property) {
        String value = exchange.getProperty(property, String.class);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("route " + exchange.getFromRouteId() + " declares no " + property);
        }
        return value.strip();
    }

    private static void respond(Exchange exchange, CommandResult result) {
        Message out = exchange.getMessage();
        ObjectNode body = JsonBodies.MAPPER.createObjectNode();
        body.put("command_id", result.commandId().toString());
        body.put("aggregate_type", result.aggregateType());
        body.put("aggregate_id", result.aggregateId());
        body.put("version", result.version());
        ObjectNode event = body.putObject("event");
        event.put("id", result.eventId().toString());
        event.put("type", result.eventType());
        event.put("topic", result.topic());
        event.put("status", result.publication());
        JsonBodies.answer(exchange, result.status(), body);
        out.setHeader("Location", result.location());
        out.setHeader("ETag", "\"" + result.version() + "\"");
        if (result.replayed()) {
            out.setHeader("Idempotent-Replayed", "true");
        }
    }

    private static Object sqlValue(JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        if (value.isNumber()) {
            return value.decimalValue();
        }
        return value; // objects and arrays bind as JSON text
    }

    private static Integer expectedVersion(Message in) {
        String ifMatch = in.getHeader("If-Match", String.class);
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.strip().equals("*")) {
            return null;
        }
        Matcher tag = ENTITY_TAG.matcher(ifMatch.strip());
        if (!tag.matches()) {
            throw Problem.badRequest("invalid-if-match", "If-Match must be an ETag this API gave out, like \"3\"");
        }
        return Integer.valueOf(tag.group(1));
    }

    private static String idempotencyKey(Message in) {
        String key = in.getHeader("Idempotency-Key", String.class);
        if (key == null) {
            return null;
        }
        if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY) {
            throw Problem.badRequest("invalid-idempotency-key", "Idempotency-Key must be 1 to "
                    + MAX_IDEMPOTENCY_KEY + " characters");
        }
        return key;
    }
}
