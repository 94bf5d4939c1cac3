package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A log line a request causes carries the request's trace id (MDC {@code trace_id}), the same one its problem+json
 * quotes and its {@code traceparent} named, even when the line is written after the command ran on its lane's
 * thread, so an operator can go from a client's complaint to the hub's log.
 */
class RequestLogTraceTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void theErrorLineOfAFailedCommandCarriesItsTraceId(@TempDir Path root) throws Exception {
        HubHome home = HubHome.copyOfShipped(root).withProductsBreakingTheirEventSchema();
        Logger logger = (Logger) LoggerFactory.getLogger(ProblemResponder.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try (TestHub hub = TestHub.start(home.settings())) {
            Response refused = hub.http.post("/api/products", "{\"name\":\"Difference Engine\",\"price\":12.5}",
                    "traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(500);
            assertThat(refused.json().path("trace_id").asText()).isEqualTo(TRACE);
        } finally {
            logger.detachAppender(lines);
        }
        List<ILoggingEvent> errors = lines.list.stream()
                .filter(line -> line.getFormattedMessage().startsWith("event contract violated")).toList();
        assertThat(errors).singleElement().satisfies(line ->
                assertThat(line.getMDCPropertyMap()).containsEntry(RequestTracing.MDC_KEY, TRACE));
    }
}
