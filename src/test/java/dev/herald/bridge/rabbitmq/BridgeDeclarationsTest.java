package dev.herald.bridge.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bridge file and binding keys, matched as RabbitMQ's topic exchange matches them. */
class BridgeDeclarationsTest {

    @TempDir
    Path dir;

    @Test
    void bindingKeysMatchLikeATopicExchange() {
        assertThat(new BindingKey("customer.*").matches("customer.created")).isTrue();
        assertThat(new BindingKey("customer.*").matches("customer.created.v2")).isFalse();
        assertThat(new BindingKey("customer.*").matches("customer")).isFalse();
        assertThat(new BindingKey("order.#").matches("order")).isTrue();
        assertThat(new BindingKey("order.#").matches("order.created.v2")).isTrue();
        assertThat(new BindingKey("#").matches("anything.at.all")).isTrue();
        assertThat(new BindingKey("#.cancelled").matches("order.cancelled")).isTrue();
        assertThat(new BindingKey("*.created").matches("order.cancelled")).isFalse();
    }

    @Test
    void legacyNamesAreDeclaredOrDerived() {
        LegacyNames names = new LegacyNames(Map.of("order.cancelled", "OrderCanceled"));
        assertThat(names.of("customer.created")).isEqualTo("CustomerCreated");
        assertThat(names.of("order.cancelled")).isEqualTo("OrderCanceled");
        assertThat(names.of("order-line.added")).isEqualTo("OrderLineAdded");
    }

    @Test
    void theShippedFileDeclaresEachConsumerWithItsFormat() {
        BridgeDeclarations declarations = BridgeDeclarations.read(Path.of("bridges/rabbitmq.yaml"));
        assertThat(declarations.consumers()).extracting(BridgeConsumer::name).containsExactly("crm", "audit");
        assertThat(declarations.of(MessageFormat.LEGACY)).singleElement()
                .satisfies(crm -> assertThat(crm.wants("customer.deleted")).isTrue())
                .satisfies(crm -> assertThat(crm.wants("order.created")).isFalse());
        assertThat(declarations.legacyNames().of("customer.created")).isEqualTo("CustomerCreated");
    }

    @Test
    void aTypoOrAMissingQueueIsRefusedAtStart() throws Exception {
        Path typo = Files.writeString(dir.resolve("typo.yaml"),
                "consumers:\n  - name: a\n    queue: q\n    binding: [ \"#\" ]\n");
        assertThatThrownBy(() -> BridgeDeclarations.read(typo)).hasMessageContaining("binding");
        Path noQueue = Files.writeString(dir.resolve("noqueue.yaml"),
                "consumers:\n  - name: a\n    bindings: [ \"#\" ]\n");
        assertThatThrownBy(() -> BridgeDeclarations.read(noQueue)).hasMessageContaining("queue");
        Path twice = Files.writeString(dir.resolve("twice.yaml"), "consumers:\n"
                + "  - { name: a, queue: q1, bindings: [ \"#\" ] }\n  - { name: a, queue: q2, bindings: [ \"#\" ] }\n");
        assertThatThrownBy(() -> BridgeDeclarations.read(twice)).hasMessageContaining("twice");
    }
}
