package dev.herald.apidoc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.bridge.rabbitmq.RabbitBridge.DeclaredConsumer;
import dev.herald.cdc.ChangeEndpoint;
import dev.herald.contract.EventSchemas.EventType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The AsyncAPI 3.0 document of what the hub publishes and consumes, from the same declarations as the OpenAPI
 * document: each command route's {@code herald:command} step gives a Kafka topic and the event type and version it
 * carries (key = aggregate id, CloudEvents envelope, data by reference to the schema registry), and so does each CDC
 * source's {@code herald:change} step with its three event types; a projection's output
 * topic and any Kafka topic a route consumes that no command publishes (an inbound topic) come from the routes'
 * inputs; the RabbitMQ exchanges, consumer queues and routing keys from bridges/rabbitmq.yaml; webhooks with their
 * Standard Webhooks headers; the dead-letter topic. A Jackson tree, as the OpenAPI one (see {@link OpenApiDocument}).
 */
final class AsyncApiDocument {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode SHARED = read();
    private static final String KAFKA_BINDING = "0.5.0";
    private static final String AMQP_BINDING = "0.3.0";
    private static final String HTTP_BINDING = "0.3.0";

    /** A declared command's event: the topic it goes to, its type and the data schema version it emits. */
    record DeclaredEvent(String topic, String type, int version, String aggregate) {
    }

    private final EventSide side;
    private final ObjectNode document = JSON.createObjectNode();
    private final ObjectNode channels;
    private final ObjectNode operations;
    private final ObjectNode messages;

    private AsyncApiDocument(EventSide side) {
        this.side = side;
        document.put("asyncapi", "3.0.0");
        this.channels = JSON.createObjectNode();
        this.operations = JSON.createObjectNode();
        this.messages = JSON.createObjectNode();
    }

    /** {@code captured}: the events of the declared CDC sources ({@link #capturedEvents}). */
    static ObjectNode of(EventSide side, List<HttpOperation> http, List<DeclaredEvent> captured, List<String> inputs,
            String version) {
        List<DeclaredEvent> events = new ArrayList<>(declaredEvents(http));
        events.addAll(captured);
        return new AsyncApiDocument(side).build(events, inputs, version);
    }

    private ObjectNode build(List<DeclaredEvent> events, List<String> inputs, String version) {
        document.putObject("info").put("title", "Herald events").put("version", version)
                .put("description", "What this hub publishes and consumes, generated from its declarations "
                        + "(routes/*.camel.yaml, bridges/rabbitmq.yaml). Every event is a CloudEvent whose data "
                        + "follows the schema of its type and version in the registry (GET /api/schemas). The HTTP "
                        + "API is described by /api/openapi.json.");
        document.put("defaultContentType", "application/cloudevents+json");
        ObjectNode servers = document.putObject("servers");
        servers.putObject("kafka").put("host", side.kafkaBrokers().split(",")[0].strip()).put("protocol", "kafka")
                .put("description", "Kafka (" + side.kafkaBrokers() + "); read with isolation.level=read_committed");
        side.rabbit().ifPresent(rabbit -> servers.putObject("rabbitmq").put("host", rabbit.host())
                .put("protocol", "amqp").put("protocolVersion", "0.9.1")
                .put("description", "the RabbitMQ bridge's broker (docs/rabbitmq.md)"));
        Map<String, Set<DeclaredEvent>> byTopic = new TreeMap<>();
        for (DeclaredEvent event : events) {
            byTopic.computeIfAbsent(event.topic(), t -> new LinkedHashSet<>()).add(event);
            cloudEventMessage(event);
        }
        byTopic.forEach(this::kafkaTopic);
        otherTopics(inputs, byTopic.keySet());
        deadLetterTopic();
        side.rabbit().ifPresent(rabbit -> rabbitMq(rabbit, events));
        if (side.webhooks()) {
            webhooks(events);
        }
        document.set("channels", channels);
        document.set("operations", operations);
        ObjectNode components = document.putObject("components");
        components.set("messages", messages);
        components.set("schemas", SHARED.get("schemas").deepCopy());
        return document;
    }

    /** One message per declared event type: its CloudEvent, data by reference to the registry. */
    private void cloudEventMessage(DeclaredEvent event) {
        ObjectNode message = messages.putObject(event.type());
        message.put("name", event.type()).put("title", event.type() + " (CloudEvent)")
                .put("contentType", "application/cloudevents+json")
                .put("summary", "aggregate " + event.aggregate() + ", data version " + event.version()
                        + versionsNote(event.type()));
        side.registry().ifPresent(registry -> message.put("x-registry-subject", registry.subjectOf(event.type()))
                .put("x-registry-url", registry.url() + "/subjects/" + registry.subjectOf(event.type()) + "/versions"));
        message.putObject("headers").put("$ref", "#/components/schemas/KafkaHeaders");
        message.set("payload", envelope("CloudEvent", "type", event.type(), event));
        message.putObject("correlationId").put("location", "$message.payload#/id")
                .put("description", "the event id");
        ObjectNode key = message.putObject("bindings").putObject("kafka");
        key.putObject("key").put("type", "string").put("description", "the aggregate id: one aggregate's events "
                + "share a partition and stay in order");
        key.put("bindingVersion", KAFKA_BINDING);
    }

    private ObjectNode envelope(String schema, String typeField, String typeValue, DeclaredEvent event) {
        ObjectNode payload = JSON.createObjectNode();
        ArrayNode allOf = payload.putArray("allOf");
        allOf.addObject().put("$ref", "#/components/schemas/" + schema);
        ObjectNode specific = allOf.addObject().put("type", "object");
        ObjectNode properties = specific.putObject("properties");
        if (typeValue != null) {
            properties.putObject(typeField).put("const", typeValue);
        }
        properties.putObject("data").put("$ref", side.schemaUrl(event.type(), event.version()));
        return payload;
    }

    private String versionsNote(String type) {
        EventType known = side.schemas().types().get(type);
        return known == null || known.versions().size() < 2 ? ""
                : "; versions in the registry: " + known.versions().keySet() + " (history keeps the version each "
                        + "event was published with)";
    }

    private void kafkaTopic(String topic, Set<DeclaredEvent> events) {
        ObjectNode channel = channel("kafka." + topic, topic, "kafka", "the events of the commands and CDC sources "
                + "that declare topic " + topic + "; record key = aggregate id, value = the CloudEvent (UTF-8 JSON)");
        channel.putObject("bindings").putObject("kafka").put("topic", topic).put("bindingVersion", KAFKA_BINDING);
        ObjectNode channelMessages = channel.putObject("messages");
        ObjectNode operation = operations.putObject("publish." + topic).put("action", "send");
        operation.putObject("channel").put("$ref", "#/channels/" + pointer("kafka." + topic));
        operation.put("summary", "Herald publishes each committed event (transactional producer, acks=all)");
        ArrayNode operationMessages = operation.putArray("messages");
        for (DeclaredEvent event : events) {
            channelMessages.putObject(event.type()).put("$ref", "#/components/messages/" + event.type());
            operationMessages.addObject().put("$ref", "#/channels/" + pointer("kafka." + topic) + "/messages/"
                    + event.type());
        }
    }

    /** A projection's output topic ({@code output=}), and the topics routes consume that no command publishes. */
    private void otherTopics(List<String> inputs, Set<String> declared) {
        for (String input : inputs) {
            if (input.startsWith("herald:projection:")) {
                HttpOperation.option(input, "output").filter(t -> !t.isBlank()).ifPresent(topic -> {
                    String name = input.substring("herald:projection:".length()).split("\\?", 2)[0];
                    ObjectNode message = JSON.createObjectNode().put("name", name + " row")
                            .put("contentType", "application/json")
                            .put("summary", "a changed row of projection " + name + ", after its commit (compacted "
                                    + "topic, key = " + HttpOperation.option(input, "outputKey").orElse("?") + ")");
                    message.putObject("payload").put("type", "object");
                    singleMessageChannel("kafka." + topic, topic, "kafka", "send", "projection." + name, message,
                            "the rows projection " + name + " changed (docs/events.md, Aggregate topics)");
                });
            } else if (input.startsWith("kafka:")) {
                for (String topic : input.substring("kafka:".length()).split("\\?", 2)[0].split(",")) {
                    if (!topic.isBlank() && !declared.contains(topic.strip()) && !channels.has("kafka." + topic)) {
                        ObjectNode message = JSON.createObjectNode().put("name", topic + " record");
                        message.putObject("payload").put("type", "object");
                        singleMessageChannel("kafka." + topic.strip(), topic.strip(), "kafka", "receive",
                                "consume." + topic.strip(), message, "an inbound topic a route of this hub consumes");
                    }
                }
            }
        }
    }

    private void deadLetterTopic() {
        if (side.deadLetterTopic().isBlank()) {
            return;
        }
        ObjectNode message = JSON.createObjectNode().put("name", "dead letter").put("contentType", "application/json")
                .put("summary", "a stage gave up on an event (retry or discard it with /api/dead-letters)");
        message.putObject("payload").put("$ref", "#/components/schemas/DeadLetter");
        message.putObject("bindings").putObject("kafka").put("bindingVersion", KAFKA_BINDING).putObject("key")
                .put("type", "string").put("description", "the aggregate id");
        singleMessageChannel("kafka." + side.deadLetterTopic(), side.deadLetterTopic(), "kafka", "send",
                "deadLetters", message, "every dead letter of every stage, copied best effort "
                        + "(herald.dead-letters.topic)");
    }

    private void rabbitMq(EventSide.Rabbit rabbit, List<DeclaredEvent> events) {
        exchange("rabbitmq.exchange", rabbit.exchange(), "CloudEvents JSON of every event, routing key = event type",
                events, false, rabbit);
        List<DeclaredConsumer> consumers = rabbit.declared().consumers();
        if (consumers.stream().anyMatch(DeclaredConsumer::legacy)) {
            exchange("rabbitmq.legacy-exchange", rabbit.legacyExchange(), "seed 000's legacy envelope "
                    + "{event_type, timestamp, data} of the types a legacy consumer binds, routing key = event type",
                    events, true, rabbit);
        }
        for (DeclaredConsumer consumer : consumers) {
            String exchange = consumer.legacy() ? rabbit.legacyExchange() : rabbit.exchange();
            ObjectNode channel = channel("rabbitmq.queue." + consumer.queue(), consumer.queue(), "rabbitmq",
                    "consumer " + consumer.name() + " (bridges/rabbitmq.yaml): durable queue bound to " + exchange
                            + " with " + consumer.bindings() + " (* one word, # any number); what its consumer "
                            + "rejects goes to " + consumer.deadLetterQueue() + " through " + rabbit.deadLetterExchange());
            channel.putObject("bindings").putObject("amqp").put("is", "queue").put("bindingVersion", AMQP_BINDING)
                    .putObject("queue").put("name", consumer.queue()).put("durable", true).put("exclusive", false)
                    .put("autoDelete", false).put("vhost", "/");
            ObjectNode routing = channel.putObject("x-herald-binding").put("exchange", exchange)
                    .put("format", consumer.legacy() ? "legacy" : "cloudevents");
            consumer.bindings().forEach(routing.putArray("routingKeys")::add);
            ObjectNode queueMessages = channel.putObject("messages");
            for (DeclaredEvent event : distinctTypes(events)) {
                if (consumer.wants(event.type())) {
                    queueMessages.putObject(event.type()).put("$ref", "#/components/messages/"
                            + (consumer.legacy() ? legacyMessage(event, rabbit) : amqpMessage(event)));
                }
            }
        }
    }

    private void exchange(String id, String name, String description, List<DeclaredEvent> events, boolean legacy,
            EventSide.Rabbit rabbit) {
        ObjectNode channel = channel(id, name, "rabbitmq", description);
        channel.putObject("bindings").putObject("amqp").put("is", "routingKey").put("bindingVersion", AMQP_BINDING)
                .putObject("exchange").put("name", name).put("type", "topic").put("durable", true)
                .put("autoDelete", false).put("vhost", "/");
        ObjectNode channelMessages = channel.putObject("messages");
        ObjectNode operation = operations.putObject("bridge." + id).put("action", "send")
                .put("summary", "the RabbitMQ bridge forwards each event from Kafka, publisher confirms, persistent");
        operation.putObject("channel").put("$ref", "#/channels/" + pointer(id));
        operation.putObject("bindings").putObject("amqp").put("deliveryMode", 2).put("mandatory", true)
                .put("bindingVersion", AMQP_BINDING);
        ArrayNode operationMessages = operation.putArray("messages");
        for (DeclaredEvent event : distinctTypes(events)) {
            channelMessages.putObject(event.type()).put("$ref", "#/components/messages/"
                    + (legacy ? legacyMessage(event, rabbit) : amqpMessage(event)));
            operationMessages.addObject().put("$ref", "#/channels/" + pointer(id) + "/messages/" + event.type());
        }
    }

    private String amqpMessage(DeclaredEvent event) {
        String id = "amqp." + event.type();
        if (!messages.has(id)) {
            ObjectNode message = messages.putObject(id).put("name", event.type())
                    .put("title", event.type() + " (AMQP, CloudEvent)").put("contentType", "application/cloudevents+json");
            message.putObject("headers").put("$ref", "#/components/schemas/AmqpHeaders");
            message.set("payload", envelope("CloudEvent", "type", event.type(), event));
            message.putObject("bindings").putObject("amqp").put("messageType", event.type())
                    .put("bindingVersion", AMQP_BINDING);
        }
        return id;
    }

    private String legacyMessage(DeclaredEvent event, EventSide.Rabbit rabbit) {
        String id = "amqp.legacy." + event.type();
        if (!messages.has(id)) {
            String legacyName = rabbit.declared().legacyName().apply(event.type());
            ObjectNode message = messages.putObject(id).put("name", legacyName)
                    .put("title", event.type() + " (AMQP, legacy envelope)").put("contentType", "application/json");
            message.putObject("headers").put("$ref", "#/components/schemas/AmqpHeaders");
            message.set("payload", envelope("LegacyEvent", "event_type", legacyName, event));
            message.putObject("bindings").putObject("amqp").put("messageType", event.type())
                    .put("bindingVersion", AMQP_BINDING);
        }
        return id;
    }

    /** Webhooks: POSTed to each registered endpoint's URL (no fixed address), signed per Standard Webhooks. */
    private void webhooks(List<DeclaredEvent> events) {
        ObjectNode channel = channel("webhooks", null, null, "POST to each webhook endpoint's URL "
                + "(/api/webhooks/endpoints) for the event types it subscribes to, in order per aggregate, retried "
                + "for hours; format cloudevents-structured (the CloudEvent as the body), cloudevents-binary (data as "
                + "the body, the other attributes as ce- headers) or legacy (docs/webhooks.md)");
        channel.putObject("bindings").putObject("http").put("bindingVersion", HTTP_BINDING);
        ObjectNode channelMessages = channel.putObject("messages");
        ObjectNode operation = operations.putObject("deliverWebhooks").put("action", "send")
                .put("summary", "deliver each event to the endpoints that subscribe to its type");
        operation.putObject("channel").put("$ref", "#/channels/webhooks");
        operation.putObject("bindings").putObject("http").put("method", "POST").put("bindingVersion", HTTP_BINDING);
        ArrayNode operationMessages = operation.putArray("messages");
        for (DeclaredEvent event : distinctTypes(events)) {
            for (boolean legacy : new boolean[] {false, true}) {
                String id = "webhook." + event.type() + (legacy ? ".legacy" : "");
                ObjectNode message = messages.putObject(id).put("name", event.type())
                        .put("title", event.type() + (legacy ? " (webhook, legacy)" : " (webhook, CloudEvent)"))
                        .put("contentType", legacy ? "application/json" : "application/cloudevents+json");
                message.putObject("headers").put("$ref", "#/components/schemas/WebhookHeaders");
                message.set("payload", legacy ? envelope("LegacyEvent", "event_type", null, event)
                        : envelope("CloudEvent", "type", event.type(), event));
                channelMessages.putObject(id).put("$ref", "#/components/messages/" + id);
                operationMessages.addObject().put("$ref", "#/channels/webhooks/messages/" + id);
            }
        }
    }

    private ObjectNode channel(String id, String address, String server, String description) {
        ObjectNode channel = channels.putObject(id);
        if (address == null) {
            channel.putNull("address");
        } else {
            channel.put("address", address);
        }
        channel.put("description", description);
        if (server != null) {
            channel.putArray("servers").addObject().put("$ref", "#/servers/" + server);
        }
        return channel;
    }

    private void singleMessageChannel(String id, String address, String server, String action, String operationId,
            ObjectNode message, String description) {
        ObjectNode channel = channel(id, address, server, description);
        channel.putObject("bindings").putObject("kafka").put("topic", address).put("bindingVersion", KAFKA_BINDING);
        String messageId = operationId + ".message";
        messages.set(messageId, message);
        channel.putObject("messages").putObject(messageId).put("$ref", "#/components/messages/" + messageId);
        ObjectNode operation = operations.putObject(operationId).put("action", action);
        operation.putObject("channel").put("$ref", "#/channels/" + pointer(id));
        operation.putArray("messages").addObject().put("$ref", "#/channels/" + pointer(id) + "/messages/"
                + messageId);
    }

    /** The event of every command route, from its herald:command step. */
    static List<DeclaredEvent> declaredEvents(List<HttpOperation> http) {
        Set<DeclaredEvent> events = new LinkedHashSet<>();
        for (HttpOperation operation : http) {
            operation.step("herald:command").ifPresent(uri -> events.add(new DeclaredEvent(
                    HttpOperation.option(uri, "topic").orElse("?"), HttpOperation.option(uri, "event").orElse("?"),
                    Integer.parseInt(HttpOperation.option(uri, "eventVersion").orElse("1")),
                    HttpOperation.option(uri, "aggregate").orElse("?"))));
        }
        return List.copyOf(events);
    }

    /**
     * The events of every declared CDC source (routes/cdc.camel.yaml, docs/cdc.md), from its herald:change step:
     * {@code <prefix>.created}, {@code .updated}, {@code .deleted} on its topic, as a command's event.
     */
    static List<DeclaredEvent> capturedEvents(List<ChangeEndpoint> sources) {
        List<DeclaredEvent> events = new ArrayList<>();
        for (ChangeEndpoint source : sources) {
            for (String type : source.eventTypes()) {
                events.add(new DeclaredEvent(source.getTopic(), type, source.getEventVersion(), source.getAggregate()));
            }
        }
        return events;
    }

    private static List<DeclaredEvent> distinctTypes(List<DeclaredEvent> events) {
        Map<String, DeclaredEvent> byType = new TreeMap<>();
        events.forEach(event -> byType.putIfAbsent(event.type(), event));
        return List.copyOf(byType.values());
    }

    /** A JSON pointer segment: channel ids may hold '/' (never here) and '~'. */
    private static String pointer(String id) {
        return id.replace("~", "~0").replace("/", "~1");
    }

    private static JsonNode read() {
        try (InputStream in = AsyncApiDocument.class.getResourceAsStream("asyncapi-components.json")) {
            return JSON.readTree(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException(new IOException("asyncapi-components.json cannot be read", e));
        }
    }
}
