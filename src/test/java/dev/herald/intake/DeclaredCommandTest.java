package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.component.sql.SqlEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A third command needs a YAML block, a schema and SQL, read from the filesystem at start: no Java, no build. */
class DeclaredCommandTest {

    @Test
    void aProductsCommandDeclaredInATemporaryDirectoryWorksEndToEnd(@TempDir Path root) {
        // the command (HubHome.withProducts: a migration, a schema, a templatedRoute) and a read beside it
        HubHome home = HubHome.copyOfShipped(root).withProducts("products").withProductGet();

        try (TestHub hub = TestHub.start(home.settings());
                TopicReader kafka = new TopicReader(hub.brokers(), "products")) {
            Response created = hub.http.post("/api/products", "{\"name\":\"Difference Engine\",\"price\":1822.5}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().get("aggregate_id").asText();
            assertThat(created.header("Location")).isEqualTo("/api/products/" + id);
            assertThat(hub.http.get("/api/products/" + id).json().get("name").asText()).isEqualTo("Difference Engine");
            assertThat(hub.http.post("/api/products", "{\"name\":\"\"}").status()).isEqualTo(400);

            var records = await().atMost(Duration.ofSeconds(20)).until(() -> kafka.recordsFor(id), r -> r.size() == 1);
            assertThat(TopicReader.cloudEvent(records.get(0)).getType()).isEqualTo("product.created");
            // every sql: step knows its parameter count: camel-sql need not ask the server (a round trip) per statement
            assertThat(hub.camel().getEndpoints()).filteredOn(SqlEndpoint.class::isInstance)
                    .map(SqlEndpoint.class::cast).filteredOn(sql -> sql.getQuery().contains(":?")).isNotEmpty()
                    .allSatisfy(sql -> assertThat(sql.getParametersCount()).as(sql.getQuery()).isPositive());
            // the shipped commands still work beside the new one
            assertThat(hub.http.post("/api/customers", "{\"full_name\":\"Ada\",\"email\":\"ada@example.com\"}")
                    .status()).isEqualTo(201);
        }
    }
}
