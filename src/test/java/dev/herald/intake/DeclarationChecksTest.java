package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken command declaration stops a real hub's start, naming what is wrong, instead of failing its requests. */
class DeclarationChecksTest {

    @Test
    void aSqlParameterNothingSuppliesStopsTheStart(@TempDir Path root) {
        HubHome home = HubHome.copyOfShipped(root).withProducts("products")
                .write("routes/products.camel.yaml",
                        HubHome.productCommand("products", "product-create.json", ":#nmae"));
        assertThatThrownBy(() -> TestHub.start(home.settings()).close())
                .hasStackTraceContaining("product.create").hasStackTraceContaining(":#nmae");
    }

    @Test
    void anEventVersionWithoutASchemaStopsTheStart(@TempDir Path root) {
        HubHome home = HubHome.copyOfShipped(root).withProducts("products")
                .write("routes/products.camel.yaml", HubHome.productCommand("products", "product-create.json", ":#name")
                        + "      - { name: eventVersion, value: \"2\" }\n");
        assertThatThrownBy(() -> TestHub.start(home.settings()).close())
                .hasStackTraceContaining("route product.create: event product.created version 2 has no schema: write "
                        + home.schemas().resolve("events/product.created/2.json"));
    }

    @Test
    void anIncompatibleEventSchemaVersionStopsTheStart(@TempDir Path root) {
        HubHome home = HubHome.copyOfShipped(root).write("schemas/events/customer.created/2.json", """
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "additionalProperties": false, "required": ["customer_id", "full_name", "email", "phone"],
                 "properties": {"customer_id": {"type": "string"}, "full_name": {"type": "string"},
                                "email": {"type": "string"}, "phone": {"type": "string"}}}
                """);
        assertThatThrownBy(() -> TestHub.start(home.settings()).close())
                .hasStackTraceContaining("event type customer.created: version 2 is not backward compatible with "
                        + "version 1")
                .hasStackTraceContaining("/properties/phone: required-added: v2 requires phone");
    }

    @Test
    void aMissingSchemaFileStopsTheStart(@TempDir Path root) {
        HubHome home = HubHome.copyOfShipped(root).withProducts("products")
                .write("routes/products.camel.yaml",
                        HubHome.productCommand("products", "product-crate.json", ":#name"));
        assertThatThrownBy(() -> TestHub.start(home.settings()).close())
                .hasStackTraceContaining("product-crate.json");
    }
}
