package dev.herald.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.http.Problem;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The default fold (herald:fold) and the parameter rules of herald:parameters, without a hub. */
class FoldRuleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Predicate<String> DELETED = FoldEndpoint.matching("*.deleted");

    @Test
    void eachEventsDataIsMergedOverTheStateBeforeItShallowly() {
        ObjectNode state = FoldEndpoint.fold(List.of(
                event(1, "customer.created", "{\"id\":\"c\",\"name\":\"Ada\",\"address\":{\"city\":\"London\",\"zip\":\"N1\"}}"),
                event(2, "customer.updated", "{\"name\":\"Ada L\"}"),
                event(3, "customer.moved", "{\"address\":{\"city\":\"Paris\"}}")), DELETED);

        assertThat(state).isEqualTo(json(
                "{\"id\":\"c\",\"name\":\"Ada L\",\"address\":{\"city\":\"Paris\"},\"version\":3,\"as_of\":\"T\"}"));
    }

    @Test
    void aDeletionEndsTheAggregateAndALaterEventStartsAnotherOne() {
        assertThat(FoldEndpoint.fold(List.of(event(1, "customer.created", "{\"a\":1}"),
                event(2, "customer.deleted", "{\"a\":1}")), DELETED)).isNull();
        assertThat(FoldEndpoint.fold(List.of(), DELETED)).isNull();
        assertThat(FoldEndpoint.fold(List.of(event(1, "customer.created", "{\"a\":1,\"b\":2}"),
                event(2, "customer.deleted", "{}"), event(3, "customer.created", "{\"a\":3}")), DELETED))
                .isEqualTo(json("{\"a\":3,\"version\":3,\"as_of\":\"T\"}"));
    }

    @Test
    void dataThatIsNotAnObjectChangesOnlyTheVersion() {
        assertThat(FoldEndpoint.fold(List.of(event(1, "x.created", "{\"a\":1}"), event(2, "x.touched", "null")),
                DELETED)).isEqualTo(json("{\"a\":1,\"version\":2,\"as_of\":\"T\"}"));
    }

    @Test
    void deletedByTakesCommaSeparatedPatternsWithStars() {
        Predicate<String> ends = FoldEndpoint.matching("order.cancelled, *.deleted");
        assertThat(ends).accepts("order.cancelled", "customer.deleted", ".deleted")
                .rejects("order.cancelled.v2", "customer.deleted-not", "customer_deleted", "order.created");
        assertThat(FoldEndpoint.matching("a.b")).rejects("aXb");
    }

    @Test
    void aSnapshotRowIsTheStateTheFoldGoesOnFrom() {
        FoldEndpoint.Folded folded = FoldEndpoint.fold(List.of(
                event(200, FoldEndpoint.SNAPSHOT, "{\"name\":\"Ada\",\"city\":\"London\"}"),
                event(201, "customer.updated", "{\"city\":\"Paris\"}")), DELETED, 100);
        assertThat(folded.state()).isEqualTo(json("{\"name\":\"Ada\",\"city\":\"Paris\",\"version\":201,\"as_of\":\"T\"}"));
        assertThat(folded.from()).isEqualTo(200);
        assertThat(folded.eventsFolded()).isEqualTo(1);
        assertThat(folded.taken()).isEmpty();

        FoldEndpoint.Folded alone = FoldEndpoint.fold(List.of(event(200, FoldEndpoint.SNAPSHOT, "{\"a\":1}")), DELETED, 100);
        assertThat(alone.state()).as("as_of at the snapshot's version").isEqualTo(json("{\"a\":1,\"version\":200,\"as_of\":\"T\"}"));
        assertThat(FoldEndpoint.fold(List.of(event(300, FoldEndpoint.SNAPSHOT, "null")), DELETED, 100).state())
                .as("a snapshot of no aggregate").isNull();
        assertThat(FoldEndpoint.fold(List.of(event(300, FoldEndpoint.SNAPSHOT, "null"),
                event(301, "customer.created", "{\"a\":2}")), DELETED, 100).state())
                .isEqualTo(json("{\"a\":2,\"version\":301,\"as_of\":\"T\"}"));
    }

    @Test
    void theStateAfterEveryMultipleOfSnapshotEveryIsTaken() {
        FoldEndpoint.Folded folded = FoldEndpoint.fold(List.of(event(1, "x.created", "{\"a\":1}"),
                event(2, "x.updated", "{\"b\":2}"), event(3, "x.updated", "{\"a\":3}"), event(4, "x.deleted", "{}"),
                event(5, "x.created", "{\"c\":5}")), DELETED, 2);
        assertThat(folded.taken()).isEqualTo(json("[{\"version\":2,\"state\":{\"a\":1,\"b\":2}},"
                + "{\"version\":4,\"state\":null}]"));
        assertThat(folded.from()).isZero();
        assertThat(folded.eventsFolded()).isEqualTo(5);
        assertThat(FoldEndpoint.fold(List.of(event(1, "x.created", "{}"), event(2, "x.updated", "{}")), DELETED, 0)
                .taken()).as("snapshotEvery=0: none").isEmpty();
    }

    @Test
    void timesAreRfc3339WithAnOffset() {
        assertThat(ParametersEndpoint.time("as_of", "2026-12-06T10:15:30Z"))
                .isEqualTo(OffsetDateTime.parse("2026-12-06T10:15:30Z"));
        assertThat(ParametersEndpoint.time("as_of", "2026-12-06t10:15:30.123456+01:00"))
                .isEqualTo(OffsetDateTime.parse("2026-12-06T10:15:30.123456+01:00"));
        for (String bad : List.of("yesterday", "2026-12-06", "2026-12-06T10:15Z", "2026-12-06T10:15:30",
                "2026-12-06 10:15:30Z", "2026-13-06T10:15:30Z", "")) {
            assertThatThrownBy(() -> ParametersEndpoint.time("as_of", bad)).as(bad)
                    .isInstanceOfSatisfying(Problem.class, problem -> {
                        assertThat(problem.status()).isEqualTo(400);
                        assertThat(problem.type()).isEqualTo("urn:herald:problem:invalid-parameter");
                        assertThat(problem.extensions()).containsEntry("parameter", "as_of");
                    });
        }
    }

    @Test
    void versionsAreWholeNumbersFromZero() {
        assertThat(ParametersEndpoint.version("from_version", "0")).isZero();
        assertThat(ParametersEndpoint.version("from_version", "42")).isEqualTo(42);
        for (String bad : List.of("-1", "1.5", "abc", "99999999999", "")) {
            assertThatThrownBy(() -> ParametersEndpoint.version("from_version", bad)).as(bad)
                    .isInstanceOfSatisfying(Problem.class,
                            problem -> assertThat(problem.extensions()).containsEntry("parameter", "from_version"));
        }
    }

    private static Map<String, Object> event(int version, String type, String data) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("version", version);
        row.put("type", type);
        row.put("data", json(data));
        row.put("as_of", "T");
        return row;
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
