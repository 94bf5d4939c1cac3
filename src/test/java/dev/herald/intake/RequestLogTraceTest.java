package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.LogLines;
import dev.herald.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log line a request causes carries the request's trace id (MDC {@code trace_id}), the same one its problem+json
 * quotes and its {@code traceparent} named, even when the line is written after the command ran on its lane's
 * thread, or on the lane's thread itself, so an operator can go from a client's complaint to the hub's log.
 */
class RequestLogTraceTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACEPARENT = "00-" + TRACE + "-00f067aa0ba902b7-01";

    @Test
    void theErrorLineOfAFailedCommandCarriesItsTraceId(@TempDir Path root) throws Exception {
        HubHome home = HubHome.copyOfShipped(root).withProductsBreakingTheirEventSchema();
        try (LogLines lines = new LogLines(ProblemResponder.class)) {
            try (TestHub hub = TestHub.start(home.settings())) {
                Response refused = hub.http.post("/api/products", "{\"name\":\"Difference Engine\",\"price\":12.5}",
                        "traceparent", TRACEPARENT);
                assertThat(refused.status()).as(refused.toString()).isEqualTo(500);
                assertThat(refused.json().path("trace_id").asText()).isEqualTo(TRACE);
            }
            assertThat(lines.containing("event contract violated")).singleElement()
                    .satisfies(line -> assertThat(LogLines.traceId(line)).isEqualTo(TRACE));
        }
    }

    /**
     * A command's steps run on its lane's thread, in the batch's transaction, not on the request's: a line one of
     * them writes (here a {@code log} step beside the SQL) carries the command's trace id all the same.
     */
    @Test
    void aLineACommandsStepWritesOnItsLanesThreadCarriesItsTraceId(@TempDir Path root) throws Exception {
        HubHome home = HubHome.copyOfShipped(root).withProducts("products");
        Path route = home.routes().resolve("products.camel.yaml");
        // the templated command written out, as docs/commands.md's long form, with a log step in the lane
        Files.writeString(route, """
                - route:
                    id: product.create
                    routeConfigurationId: problems
                    from:
                      uri: "platform-http:/api/products"
                      parameters: { httpMethodRestrict: POST }
                      steps:
                        - process: { ref: jsonRequest }
                        - unmarshal:
                            json: { library: Jackson, unmarshalType: com.fasterxml.jackson.databind.JsonNode }
                        - to: "herald:command?aggregate=product&event=product.created&topic=products&resource=/api/products&id=new"
                        - removeHeaders: { pattern: "*", excludePattern: "Camel*" }
                        - policy:
                            ref: groupCommit
                            steps:
                              - log: { message: "creating product ${body[id]}", logName: "dev.herald.intake.RequestLogTraceTest" }
                              - to: "sql:INSERT INTO products (product_id, name, price, version) VALUES (:#id, :#name, :#price, :#version) RETURNING product_id, name, price"
                        - process: { ref: commandAnswer }
                """);
        try (LogLines lines = new LogLines(RequestLogTraceTest.class);
                TestHub hub = TestHub.start(home.settings())) {
            Response created = hub.http.post("/api/products", "{\"name\":\"Analytical Engine\",\"price\":12.5}",
                    "traceparent", TRACEPARENT);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String product = created.json().get("aggregate_id").asText();
            assertThat(lines.containing("creating product " + product)).singleElement().satisfies(line -> {
                assertThat(line.getThreadName()).startsWith("herald-lane-");
                assertThat(LogLines.traceId(line)).isEqualTo(TRACE);
            });
        }
    }
}
