package dev.herald.bridge.rabbitmq;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What bridges/rabbitmq.yaml declares: the consumers (adding one is an edit of that file, applied at the next
 * start or at once with live reload) and the legacy names of event types.
 */
record BridgeDeclarations(List<BridgeConsumer> consumers, LegacyNames legacyNames) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static BridgeDeclarations read(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalStateException("RabbitMQ bridge declarations not found: " + file.toAbsolutePath()
                    + " (herald.rabbitmq.consumers-file)");
        }
        try {
            File read = YAML.readValue(file.toFile(), File.class);
            List<BridgeConsumer> consumers = read.consumers == null ? List.of() : read.consumers.stream()
                    .map(c -> new BridgeConsumer(c.name, c.queue,
                            c.bindings == null ? List.of() : c.bindings.stream().map(BindingKey::new).toList(),
                            c.format))
                    .toList();
            Set<String> names = new HashSet<>();
            consumers.forEach(c -> {
                if (!names.add(c.name())) {
                    throw new IllegalArgumentException("consumer " + c.name() + " is declared twice");
                }
            });
            return new BridgeDeclarations(consumers, new LegacyNames(read.legacyNames == null ? Map.of()
                    : Map.copyOf(read.legacyNames)));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    List<BridgeConsumer> of(MessageFormat format) {
        return consumers.stream().filter(c -> c.format() == format).toList();
    }

    /** The file's shape; unknown keys are refused, so a typo does not silently drop a binding. */
    private record File(List<Consumer> consumers, @JsonProperty("legacy-names") Map<String, String> legacyNames) {
    }

    private record Consumer(String name, String queue, List<String> bindings, MessageFormat format) {
    }
}
