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
    void aMissingSchemaFileStopsTheStart(@TempDir Path root) {
        HubHome home = HubHome.copyOfShipped(root).withProducts("products")
                .write("routes/products.camel.yaml",
                        HubHome.productCommand("products", "product-crate.json", ":#name"));
        assertThatThrownBy(() -> TestHub.start(home.settings()).close())
                .hasStackTraceContaining("product-crate.json");
    }
}
