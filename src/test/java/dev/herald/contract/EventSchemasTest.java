package dev.herald.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry as files: the shipped schemas load, an incompatible version or a broken file is refused. */
class EventSchemasTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theShippedSchemasLoadAndJudgeData() throws Exception {
        EventSchemas schemas = EventSchemas.load(Path.of("schemas/events"));
        assertThat(schemas.types()).containsKeys("customer.created", "customer.updated", "customer.deleted",
                "order.created", "order.cancelled");
        assertThat(schemas.types().get("order.created").compatibility()).isEqualTo(Compatibility.BACKWARD);
        schemas.check("order.created", 1, JSON.readTree("""
                {"order_id": "o", "customer_id": "c", "status": "placed", "total": 30.00, "item_count": 1,
                 "items": [{"product_id": "p", "quantity": 3, "unit_price": 10}]}"""));
        assertThatThrownBy(() -> schemas.check("customer.created", 1, JSON.readTree("""
                {"customer_id": "c", "full_name": 42, "email": "e"}""")))
                .isInstanceOfSatisfying(EventContractViolation.class, violation -> {
                    assertThat(violation.errors()).singleElement().satisfies(error -> {
                        assertThat(error.pointer()).isEqualTo("/full_name");
                        assertThat(error.keyword()).isEqualTo("type");
                    });
                });
    }

    @Test
    void anIncompatibleVersionIsRefusedNamingTypeVersionsPlaceAndRule(@TempDir Path dir) throws Exception {
        Path type = Files.createDirectories(dir.resolve("thing.made"));
        Files.writeString(type.resolve("1.json"), """
                {"type": "object", "additionalProperties": false, "properties": {"id": {"type": "string"}}}""");
        Files.writeString(type.resolve("2.json"), """
                {"type": "object", "additionalProperties": false, "required": ["size"],
                 "properties": {"id": {"type": "string"}, "size": {"type": "integer"}}}""");
        assertThatThrownBy(() -> EventSchemas.load(dir)).hasMessageContaining("event type thing.made")
                .hasMessageContaining("version 2 is not backward compatible with version 1")
                .hasMessageContaining("/properties/size: required-added");
        Files.writeString(type.resolve(EventSchemas.COMPATIBILITY_FILE), "none\n");
        Files.writeString(type.resolve("1-to-2.jq"), ".size //= 0");   // none: readers of history need a step
        assertThat(EventSchemas.load(dir).types().get("thing.made").versions()).containsOnlyKeys(1, 2);
    }

    @Test
    void aFileThatIsNoJsonSchemaIsRefused(@TempDir Path dir) throws Exception {
        Path type = Files.createDirectories(dir.resolve("thing.made"));
        Files.writeString(type.resolve("1.json"), "{\"type\": \"strin\"}");
        assertThatThrownBy(() -> EventSchemas.load(dir)).hasMessageContaining("1.json is not a valid JSON Schema");
        Files.writeString(type.resolve("1.json"), "{\"type\": \"string\"}");
        Files.writeString(type.resolve(EventSchemas.COMPATIBILITY_FILE), "sideways");
        assertThatThrownBy(() -> EventSchemas.load(dir)).hasMessageContaining("backward, forward, full or none");
    }
}
