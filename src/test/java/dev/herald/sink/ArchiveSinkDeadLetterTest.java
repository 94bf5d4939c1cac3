package dev.herald.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.Invariants.Delivery;
import dev.herald.testing.TestHub;
import dev.herald.trace.Traces;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A sink that fails for good on one event: the shipped archive with one step added, from a temporary routes
 * directory, that writes the events of one customer through a path the hub cannot create (a file stands where
 * its directory should be). That event is retried, then dead-lettered as stage sink:archive-sink; the events after
 * it are archived, its span an error; once the file is gone, an operator's retry archives it with its event id
 * unchanged. Each retry is a span of the event's trace, child of the context stored with it (the publish span).
 */
class ArchiveSinkDeadLetterTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void anEventTheSinkCannotTakeIsDeadLetteredTheRestFlowsAndARetryDeliversIt() throws Exception {
        Path root = Files.createTempDirectory("herald-sink-home");
        Path blocked = Files.writeString(root.resolve("blocked"), "a file, not a directory");
        HubHome home = HubHome.copyOfShipped(root);
        String shipped = Files.readString(home.routes().resolve("sinks.camel.yaml"));
        String archiveStep = """
                      steps:
                        - to:
                            uri: "file:{{herald.sinks.archive.dir}}"
                """;
        assertThat(shipped).contains(archiveStep);
        home.write("routes/sinks.camel.yaml", shipped.replace(archiveStep, """
                      steps:
                        - filter:
                            simple: "${bodyAs(String)} contains 'poison@example.com'"
                            steps:
                              - to: "file:%s?fileName=probe&fileExist=Append"
                        - to:
                            uri: "file:{{herald.sinks.archive.dir}}"
                """.formatted(blocked)));
        ArchiveFiles archive = ArchiveFiles.fresh(root.resolve("archive"));
        Map<String, String> settings = new HashMap<>(archive.settings());
        settings.putAll(home.settings());
        settings.put("herald.sinks.max-redeliveries", "2");
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        Traces.exportForTests(spans);
        try (TestHub hub = TestHub.start(settings)) {
            Traces.exportForTests(null);
            String poisoned = create(hub, "poison@example.com");
            String after = create(hub, "after@example.com");

            JsonNode letter = await().atMost(PATIENCE).until(() -> hub.http
                    .get("/api/dead-letters?stage=sink:archive-sink&aggregate=" + poisoned).json().get("items"),
                    items -> items.size() == 1).get(0);
            assertThat(letter.get("failureCount").asInt()).isEqualTo(3);
            assertThat(letter.get("destination").asText()).startsWith("file://" + blocked);
            assertThat(letter.get("errorClass").asText()).contains("GenericFileOperationFailedException");
            assertThat(letter.at("/originalEvent/subject").asText()).isEqualTo(poisoned);
            // the partition went on: the next customer is archived, the poisoned one is not
            await().atMost(PATIENCE).until(() -> aggregates(archive).contains(after));
            assertThat(aggregates(archive)).doesNotContain(poisoned);
            // its span in the event's trace records each failed try and ends as an error
            SpanData errored = await().atMost(PATIENCE).until(() -> spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals("sink archive-sink deliver")
                            && s.getStatus().getStatusCode() == StatusCode.ERROR).toList(), s -> !s.isEmpty()).get(0);
            assertThat(errored.getEvents()).filteredOn(e -> e.getName().equals("exception")).hasSize(3);
            assertThat(spans.getFinishedSpanItems()).anySatisfy(publish -> {
                assertThat(publish.getSpanId()).isEqualTo(errored.getParentSpanId());
                assertThat(publish.getName()).isEqualTo("customer.created publish");
                assertThat(publish.getTraceId()).isEqualTo(errored.getTraceId());
            });

            // still blocked: the retry fails, the operator hears it, the dead letter stays open
            Response failed = hub.http.post("/api/dead-letters/" + letter.get("id").asLong() + "/retry", "");
            assertThat(failed.status()).as(failed.body()).isEqualTo(503);
            assertThat(hub.http.get("/api/dead-letters/" + letter.get("id").asLong()).json().get("resolution")
                    .isNull()).isTrue();
            // the retry's span (ended before the answer) shows it in the event's trace, failed again
            assertThat(retrySpans(spans)).singleElement().satisfies(retry -> {
                assertThat(retry.getParentSpanId()).isEqualTo(errored.getParentSpanId());
                assertThat(retry.getTraceId()).isEqualTo(errored.getTraceId());
                assertThat(retry.getKind()).isEqualTo(SpanKind.CONSUMER);
                assertThat(retry.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            });

            Files.delete(blocked);
            Response retried = hub.http.post("/api/dead-letters/" + letter.get("id").asLong() + "/retry", "");
            assertThat(retried.status()).as(retried.body()).isEqualTo(202);
            assertThat(retrySpans(spans)).hasSize(2).last().satisfies(retry -> {
                assertThat(retry.getParentSpanId()).isEqualTo(errored.getParentSpanId());
                assertThat(retry.getTraceId()).isEqualTo(errored.getTraceId());
                assertThat(retry.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            });
            List<Delivery> poisonedLines = archive.deliveries().stream()
                    .filter(d -> d.aggregateId().equals(poisoned)).toList();
            assertThat(poisonedLines).extracting(Delivery::eventId).containsExactly(letter.get("eventId").asText());
            assertThat(Files.readString(archive.dir().resolve(archive.topic() + ".jsonl")))
                    .contains(letter.get("originalEvent").get("id").asText());
        } finally {
            Traces.exportForTests(null);
        }
    }

    private static String create(TestHub hub, String email) {
        Response created = hub.http.post("/api/customers", "{\"full_name\":\"Sink\",\"email\":\"" + email + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("aggregate_id").asText();
    }

    /** The spans of operators' retries of the sink's dead letters, in the order they ended. */
    private static List<SpanData> retrySpans(InMemorySpanExporter spans) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("sink archive-sink deliver")
                && Boolean.TRUE.equals(s.getAttributes().get(SinkSpan.RETRY))).toList();
    }

    private static List<String> aggregates(ArchiveFiles archive) {
        return archive.deliveries().stream().map(Delivery::aggregateId).toList();
    }
}
