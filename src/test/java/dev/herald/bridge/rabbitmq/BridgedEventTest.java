package dev.herald.bridge.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The bridge reads a record's CloudEvent attributes as they stream by, its data only when a format needs it. */
class BridgedEventTest {

    private static final String EVENT = """
            {"specversion":"1.0","id":"7d0c7a8e-3c4b-4f7e-9a57-1f2a3b4c5d6e","source":"/herald",
             "type":"customer.created","subject":"c-1","time":"2026-12-07T10:15:30.123456Z",
             "extra":{"nested":[1,{"id":"not this one"}]},"aggregatetype":"customer","aggregateversion":3,
             "data":{"id":"c-1","email":"ada@example.com","tags":["a","b"]},"traceparent":"00-x"}""";

    @Test
    void readsTheAttributesAndLeavesTheDataForLater() {
        byte[] raw = EVENT.getBytes(StandardCharsets.UTF_8);
        BridgedEvent event = BridgedEvent.parse(raw);
        assertThat(event.id()).hasToString("7d0c7a8e-3c4b-4f7e-9a57-1f2a3b4c5d6e");
        assertThat(event.type()).isEqualTo("customer.created");
        assertThat(event.aggregateType()).isEqualTo("customer");
        assertThat(event.aggregateId()).isEqualTo("c-1");
        assertThat(event.aggregateVersion()).isEqualTo(3);
        assertThat(event.time()).isEqualTo(Instant.parse("2026-12-07T10:15:30.123456Z"));
        assertThat(event.cloudEvent()).isSameAs(raw);
        assertThat(event.data().get("email").asText()).isEqualTo("ada@example.com");
        assertThat(event.data().get("tags")).hasSize(2);
    }

    @Test
    void aVersionWrittenAsTextAndNoAggregateTypeStillRead() {
        BridgedEvent event = BridgedEvent.parse(EVENT.replace("\"aggregateversion\":3", "\"aggregateversion\":\"4\"")
                .replace("\"aggregatetype\":\"customer\",", "").getBytes(StandardCharsets.UTF_8));
        assertThat(event.aggregateVersion()).isEqualTo(4);
        assertThat(event.aggregateType()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "\"text\"", "{}", "not json",
        "{\"id\":\"7d0c7a8e-3c4b-4f7e-9a57-1f2a3b4c5d6e\",\"type\":\"t\",\"subject\":\"s\"}",
        "{\"id\":7,\"type\":\"t\",\"subject\":\"s\",\"time\":\"2026-12-07T10:15:30Z\"}",
        "{\"id\":\"not-a-uuid\",\"type\":\"t\",\"subject\":\"s\",\"time\":\"2026-12-07T10:15:30Z\"}",
        "{\"id\":\"7d0c7a8e-3c4b-4f7e-9a57-1f2a3b4c5d6e\",\"type\":\"t\",\"subject\":\"s\",\"time\":\"yesterday\"}"})
    void anythingElseIsNotAHeraldCloudEvent(String value) {
        assertThatThrownBy(() -> BridgedEvent.parse(value.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a Herald CloudEvent");
    }
}
