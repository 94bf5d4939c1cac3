package dev.herald.intake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.command.Command;
import dev.herald.command.CommandDeclaration;
import dev.herald.command.Inbound;
import dev.herald.command.PublishMode;
import dev.herald.http.HeaderText;
import dev.herald.http.JsonBodies;
import dev.herald.http.Problem;
import dev.herald.store.EventStore;
import dev.herald.store.SqlParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code herald:command}: what the command is (aggregate, event, topic...), declared once in its options, and the
 * step that makes one of a validated request: a fresh id or the path's, If-Match, Idempotency-Key, and the SQL
 * parameters (body fields and path parameters) left as the body for the steps that apply it. The command waits in
 * the exchange property {@link Command#PROPERTY} for the {@code groupCommit} policy.
 */
public final class CommandEndpoint extends DefaultEndpoint {

    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{(\\w+)}");
    private static final Pattern ENTITY_TAG = Pattern.compile("^(?:W/)?\"?(\\d{1,9})\"?$");
    private static final int MAX_IDEMPOTENCY_KEY = 255;

    private final Admission admission;
    private final Map<String, CommandDeclaration> declarations = new ConcurrentHashMap<>();
    private final Map<String, List<String>> pathParameters = new ConcurrentHashMap<>();
    private String aggregate;
    private String event;
    private int eventVersion = 1;
    private String topic;
    private String resource;
    private String id = "path";
    private String mode = "sync";

    public CommandEndpoint(String uri, Component component, Admission admission) {
        super(uri, component);
        this.admission = admission;
    }

    /** Every option the command needs, checked when the route is created. */
    public void check() {
        for (String[] option : new String[][] {{"aggregate", aggregate}, {"event", event}, {"topic", topic},
            {"resource", resource}}) {
            if (option[1] == null || option[1].isBlank()) {
                throw new IllegalArgumentException("herald:command needs the option " + option[0]);
            }
        }
        if (!id.equals("new") && !id.equals("path")) {
            throw new IllegalArgumentException("herald:command option id must be new or path, not " + id);
        }
        PublishMode.of("herald:command", mode);
        if (eventVersion < 1) {
            throw new IllegalArgumentException("herald:command option eventVersion must be 1 or more");
        }
    }

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) {
                toCommand(exchange);
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("herald:command is a step (to:), not a route's start (from:)");
    }

    private void toCommand(Exchange exchange) {
        admission.admit();
        CommandDeclaration declaration = declarations.computeIfAbsent(exchange.getFromRouteId(), this::declare);
        Message in = exchange.getIn();
        JsonNode body = in.getBody(JsonNode.class);
        if (body == null || !body.isObject()) {
            throw Problem.badRequest("malformed-json", "the body must be a JSON object");
        }
        Map<String, Object> parameters = SqlParameters.fromJson(body);
        StringBuilder identity = new StringBuilder(declaration.name());
        for (String name : pathParameters(exchange)) {
            String value = in.getHeader(name, String.class);
            parameters.put(name, value);
            identity.append('\n').append(value);
        }
        String aggregateId = declaration.newAggregate() ? EventStore.newId().toString() : in.getHeader("id", String.class);
        String requestHash = JsonBodies.sha256(identity + "\n" + JsonBodies.canonical(body));
        // an event a reaction applies: its identity is the key, so a redelivery replays the first answer
        Inbound inbound = exchange.getProperty(Inbound.PROPERTY, Inbound.class);
        Command command = new Command(declaration, EventStore.newId(), aggregateId, body, expectedVersion(in),
                inbound != null ? inbound.idempotencyKey() : idempotencyKey(in), requestHash, parameters, null, null,
                inbound);
        exchange.setProperty(Command.PROPERTY, command);
        in.setBody(new SqlParameters(parameters));
    }

    private CommandDeclaration declare(String routeId) {
        return new CommandDeclaration(routeId, aggregate, event, eventVersion, topic, resource, id.equals("new"),
                PublishMode.of("herald:command", mode), false);
    }

    /** The route's path parameters, which platform-http sets as headers. */
    private List<String> pathParameters(Exchange exchange) {
        if (!(exchange.getFromEndpoint() instanceof PlatformHttpEndpoint http)) {
            return List.of();
        }
        return pathParameters.computeIfAbsent(http.getPath(), CommandEndpoint::pathParameters);
    }

    /** The names in a path template ({@code /api/orders/{id}/cancel} -> id), or in a URI holding one. */
    static List<String> pathParameters(String path) {
        List<String> names = new ArrayList<>();
        Matcher matcher = PATH_PARAMETER.matcher(path);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return List.copyOf(names);
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
        String key = HeaderText.utf8(in.getHeader("Idempotency-Key", String.class));
        if (key == null) {
            return null;
        }
        if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY) {
            throw Problem.badRequest("invalid-idempotency-key", "Idempotency-Key must be 1 to "
                    + MAX_IDEMPOTENCY_KEY + " characters");
        }
        return key;
    }

    public void setAggregate(String aggregate) {
        this.aggregate = aggregate;
    }

    public void setEvent(String event) {
        this.event = event;
    }

    /** The event type and version this command emits; its schema must exist (EventSchemaCheck). */
    public String getEvent() {
        return event;
    }

    public int getEventVersion() {
        return eventVersion;
    }

    public void setEventVersion(int eventVersion) {
        this.eventVersion = eventVersion;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    /** The Kafka topic this command's events go to; the bridges consume every declared one (DeclaredTopics). */
    public String getTopic() {
        return topic;
    }

    public void setResource(String resource) {
        this.resource = resource;
    }

    public void setId(String id) {
        this.id = id;
    }

    public void setMode(String mode) {
        this.mode = mode;
    }
}
