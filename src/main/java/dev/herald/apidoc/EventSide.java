package dev.herald.apidoc;

import dev.herald.bridge.rabbitmq.RabbitBridge;
import dev.herald.contract.EventSchemas;
import dev.herald.settings.DeadLetters;
import dev.herald.settings.Http;
import dev.herald.settings.RabbitMq;
import dev.herald.settings.SchemaRegistry;
import dev.herald.settings.Settings;
import dev.herald.settings.Webhooks;
import java.net.URI;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the AsyncAPI document says of the event side besides the routes: the brokers' addresses (without
 * credentials), the RabbitMQ exchanges and declared consumers (bridges/rabbitmq.yaml, when the bridge is on), whether
 * webhooks are sent, the dead-letter topic, the event schema registry and the hub's public URL (the registry's
 * schemas are referred to by their URL there), and the Confluent-compatible registry the schemas go to, if any.
 */
public record EventSide(String publicUrl, String kafkaBrokers, EventSchemas schemas, Optional<Rabbit> rabbit,
        boolean webhooks, String deadLetterTopic, Optional<Registry> registry) {

    /**
     * The Confluent-compatible schema registry the schemas are published to (herald.schemas.registry-url): its URL
     * without credentials and the subject template ({@code <type>} standing for the type).
     */
    public record Registry(String url, String subject) {

        String subjectOf(String type) {
            return subject.replace("<type>", type);
        }
    }

    /**
     * The RabbitMQ bridge: broker host:port, its exchanges, and what the consumers file declares now
     * ({@code consumers}: the bridge's, which a live reload changes).
     */
    public record Rabbit(String host, String exchange, String legacyExchange, String deadLetterExchange,
            Supplier<RabbitBridge.Declared> consumers) {

        public RabbitBridge.Declared declared() {
            return consumers.get();
        }
    }

    /**
     * From the settings and the engines the hub uses: {@code brokers} Kafka's, {@code amqpUrl} the RabbitMQ broker's
     * (the embedded one's when none is set); the declared consumers are the bridge's.
     */
    public static EventSide from(Settings settings, String brokers, String amqpUrl, EventSchemas schemas,
            RabbitBridge rabbitBridge) {
        Optional<Rabbit> rabbit = Optional.empty();
        if (settings.get(RabbitMq.ENABLED)) {
            URI broker = URI.create(amqpUrl.isEmpty() ? "amqp://127.0.0.1:5672" : amqpUrl);
            rabbit = Optional.of(new Rabbit(broker.getHost() + ":" + (broker.getPort() < 0 ? 5672 : broker.getPort()),
                    settings.get(RabbitMq.EXCHANGE), settings.get(RabbitMq.LEGACY_EXCHANGE),
                    settings.get(RabbitMq.DEAD_LETTER_EXCHANGE), rabbitBridge::declared));
        }
        String registryUrl = settings.get(SchemaRegistry.URL);
        Optional<Registry> registry = registryUrl.isEmpty() ? Optional.empty() : Optional.of(new Registry(
                Settings.withoutCredentials(registryUrl).replaceAll("/+$", ""), settings.get(SchemaRegistry.SUBJECT)));
        return new EventSide(settings.get(Http.PUBLIC_URL), brokers, schemas, rabbit, settings.get(Webhooks.ENABLED),
                settings.get(DeadLetters.TOPIC), registry);
    }

    /** The registry URL of a type's data schema: relative to the document unless herald.public-url is set. */
    String schemaUrl(String type, int version) {
        String base = publicUrl == null ? "" : publicUrl.replaceAll("/+$", "");
        return base + "/api/schemas/" + type + "/" + version;
    }
}
