package dev.herald.bridge.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Binding keys match routing keys as RabbitMQ's topic exchange does. */
class BindingKeyTest {

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource({
        "customer.*, customer.created, true",
        "customer.*, customer, false",
        "customer.*, customer.created.v2, false",
        "order.#, order, true",
        "order.#, order.created, true",
        "order.#, order.line.added, true",
        "order.#, orders.created, false",
        "#, anything.at.all, true",
        "#.created, customer.created, true",
        "#.created, created, true",
        "*.created, customer.created, true",
        "*.created, created, false",
        "customer.created, customer.created, true",
        "customer.created, customer.updated, false",
        "a.#.z, a.z, true",
        "a.#.z, a.b.c.z, true",
        "a.#.z, a.b.c, false",
        "a.*.z, a.b.z, true",
        "a.*.z, a.z, false",
        "*.*, a.b, true",
        "*.*, a.b.c, false",
        "#.#, a.b, true",
        "customer.*.#, customer.created, true",
        "customer.*.#, customer.created.v2.eu, true",
        "customer.*.#, customer, false",
        "customer.created, customer.createdX, false",
        "customer.created, customer.created.v2, false",
    })
    void matchesAsTheBrokerDoes(String pattern, String routingKey, boolean matches) {
        assertThat(new BindingKey(pattern).matches(routingKey)).isEqualTo(matches);
    }
}
