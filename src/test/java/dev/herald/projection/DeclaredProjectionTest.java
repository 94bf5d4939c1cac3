package dev.herald.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A projection added as an engineer adds one, without Java: a migration, a templatedRoute of projection and one of
 * query. Rebuilt, it gives the same read model, each event applied once.
 */
class DeclaredProjectionTest {

    private static final String PROJECTION = "/api/projections/customer-signups";

    @Test
    void aTemplatedProjectionFollowsTheStoreAndARebuildGivesTheSameReadModel(@TempDir Path dir) {
        HubHome home = HubHome.copyOfShipped(dir)
                .write("sql/V901__customer_signups.sql", """
                        CREATE TABLE customer_signups (domain text PRIMARY KEY, signups int NOT NULL);
                        """)
                .write("routes/signups.camel.yaml", """
                        - templatedRoute:
                            routeTemplateRef: projection
                            parameters:
                              - { name: name, value: customer-signups }
                              - { name: types, value: "customer.cr*" }
                              - { name: tables, value: customer_signups }
                              - name: sql
                                value: >-
                                  INSERT INTO customer_signups (domain, signups)
                                  VALUES (split_part(:#email, '@', 2), 1)
                                  ON CONFLICT (domain) DO UPDATE SET signups = customer_signups.signups + 1
                        - templatedRoute:
                            routeTemplateRef: query
                            routeId: signups.get
                            parameters:
                              - { name: path, value: "/api/signups/{domain}" }
                              - { name: single, value: "true" }
                              - { name: sql, value: "SELECT domain, signups FROM customer_signups WHERE domain = :#domain" }
                        """);
        try (TestHub hub = TestHub.start(home.settings())) {
            for (int i = 0; i < 3; i++) {
                create(hub, "a" + i + "@one.example");
            }
            create(hub, "b@two.example");
            // the last signup may commit after the first three are applied: wait for it before reading it
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    hub.http.get("/api/signups/one.example").json().path("signups").asInt() == 3
                            && hub.http.get("/api/signups/two.example").status() == 200);
            assertThat(hub.http.get("/api/signups/two.example").json().get("signups").asInt()).isEqualTo(1);
            String before = table(hub);
            JsonNode live = hub.http.get(PROJECTION).json();
            assertThat(live.get("applied").asLong()).isEqualTo(4);

            Response rebuild = hub.http.post(PROJECTION + "/rebuild", "");
            assertThat(rebuild.status()).as(rebuild.toString()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                JsonNode now = hub.http.get(PROJECTION).json();
                return "live".equals(now.get("status").asText())
                        && !now.get("updated_at").asText().equals(live.get("updated_at").asText());
            });
            assertThat(table(hub)).isEqualTo(before);
            assertThat(hub.http.get(PROJECTION).json().get("applied").asLong()).isEqualTo(4);
            assertThat(hub.http.post("/api/projections/customer-order-totals/rebuild", "").status()).isEqualTo(202);
        }
    }

    private static void create(TestHub hub, String email) {
        Response created = hub.http.post("/api/customers", "{\"full_name\":\"Signup\",\"email\":\"" + email + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }

    private static String table(TestHub hub) {
        return hub.http.get("/api/signups/one.example").body() + hub.http.get("/api/signups/two.example").body();
    }
}
