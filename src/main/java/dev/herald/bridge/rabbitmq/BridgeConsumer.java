package dev.herald.bridge.rabbitmq;

import java.util.List;

/**
 * One declared AMQP consumer (bridges/rabbitmq.yaml): its durable queue, bound with {@code bindings} to the
 * exchange of its {@code format}. Each queue dead-letters what its consumer rejects to {@code <queue>.dlq}.
 */
record BridgeConsumer(String name, String queue, List<BindingKey> bindings, MessageFormat format) {

    BridgeConsumer {
        if (name == null || name.isBlank() || queue == null || queue.isBlank()) {
            throw new IllegalArgumentException("a consumer needs a name and a queue");
        }
        if (bindings == null || bindings.isEmpty()) {
            throw new IllegalArgumentException("consumer " + name + " needs at least one binding key");
        }
        format = format == null ? MessageFormat.CLOUDEVENTS : format;
        bindings = List.copyOf(bindings);
    }

    boolean wants(String routingKey) {
        return bindings.stream().anyMatch(key -> key.matches(routingKey));
    }

    String deadLetterQueue() {
        return queue + ".dlq";
    }
}
