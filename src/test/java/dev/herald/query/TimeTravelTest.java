package dev.herald.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.SharedHub;
import dev.herald.testing.TestHub;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, state at time T, through HTTP on a whole hub: ?as_of= on an aggregate's read folds its events up to
 * that time; ?from_version=&to_version= and ?until= page its event stream. The times come from the events
 * themselves (each CloudEvent's time is the events table's occurred_at).
 */
class TimeTravelTest {

    private static TestHub hub;

    @BeforeAll
    static void start() {
        hub = SharedHub.get();
    }

    @Test
    void aCustomerAsItWasAtEachTimeOfItsLife() {
        String id = created(hub.http.post("/api/customers", "{\"full_name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"}"));
        assertThat(hub.http.put("/api/customers/" + id, "{\"email\":\"ada@analytical.engine\"}").status()).isEqualTo(201);
        assertThat(hub.http.put("/api/customers/" + id, "{\"full_name\":\"Augusta Ada King\"}").status()).isEqualTo(201);
        assertThat(hub.http.delete("/api/customers/" + id).status()).isEqualTo(201);
        List<Instant> times = eventTimes("/api/customers/" + id + "/events");
        assertThat(times).hasSize(4).isSorted();

        Response before = asOf("/api/customers/" + id, times.get(0).minusNanos(1000));
        assertThat(before.status()).as(before.toString()).isEqualTo(404);
        assertThat(before.header("Content-Type")).isEqualTo("application/problem+json");

        JsonNode v1 = ok(asOf("/api/customers/" + id, times.get(0)), 1);
        assertThat(v1.get("full_name").asText()).isEqualTo("Ada Lovelace");
        assertThat(v1.get("email").asText()).isEqualTo("ada@example.com");
        assertThat(v1.get("customer_id").asText()).isEqualTo(id);
        assertThat(Instant.parse(v1.get("as_of").asText())).isEqualTo(times.get(0));

        Instant betweenTwoAndThree = times.get(1).plus(Duration.between(times.get(1), times.get(2)).dividedBy(2));
        JsonNode v2 = ok(asOf("/api/customers/" + id, betweenTwoAndThree), 2);
        assertThat(v2.get("full_name").asText()).isEqualTo("Ada Lovelace");
        assertThat(v2.get("email").asText()).isEqualTo("ada@analytical.engine");

        JsonNode v3 = ok(asOf("/api/customers/" + id, times.get(3).minusNanos(1000)), 3);
        assertThat(v3.get("full_name").asText()).isEqualTo("Augusta Ada King");
        assertThat(v3.get("email").asText()).isEqualTo("ada@analytical.engine");

        assertThat(asOf("/api/customers/" + id, times.get(3)).status()).isEqualTo(404);
        assertThat(asOf("/api/customers/" + id, Instant.now().plusSeconds(3600)).status()).isEqualTo(404);
        assertThat(hub.http.get("/api/customers/" + id).status()).as("without as_of: today's read").isEqualTo(404);
    }

    @Test
    void anOffsetOtherThanZuluNamesTheSameInstant() {
        String id = created(hub.http.post("/api/customers", "{\"full_name\":\"Grace\",\"email\":\"grace@example.com\"}"));
        Instant created = eventTimes("/api/customers/" + id + "/events").get(0);
        String inParis = OffsetDateTime.ofInstant(created, java.time.ZoneOffset.ofHours(1)).toString();

        ok(hub.http.get("/api/customers/" + id + "?as_of=" + URLEncoder.encode(inParis, StandardCharsets.UTF_8)), 1);
        Response current = hub.http.get("/api/customers/" + id);
        assertThat(current.status()).isEqualTo(200);
        assertThat(current.json().has("as_of")).as("without as_of the read is today's").isFalse();
    }

    @Test
    void anOrderAsPlacedAndAsCancelled() {
        String customer = created(hub.http.post("/api/customers", "{\"full_name\":\"Buyer\",\"email\":\"b@example.com\"}"));
        String order = created(hub.http.post("/api/orders", "{\"customer_id\":\"" + customer
                + "\",\"items\":[{\"product_id\":\"p-1\",\"quantity\":2,\"unit_price\":9.99}]}"));
        assertThat(hub.http.post("/api/orders/" + order + "/cancel", "{\"reason\":\"changed my mind\"}").status())
                .isEqualTo(201);
        List<Instant> times = eventTimes("/api/orders/" + order + "/events");

        JsonNode placed = ok(asOf("/api/orders/" + order, times.get(0)), 1);
        assertThat(placed.get("status").asText()).isEqualTo("placed");
        assertThat(placed.get("total").decimalValue()).isEqualByComparingTo("19.98");
        assertThat(placed.has("reason")).isFalse();
        JsonNode cancelled = ok(asOf("/api/orders/" + order, times.get(1)), 2);
        assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.get("reason").asText()).isEqualTo("changed my mind");
        assertThat(cancelled.get("total").decimalValue()).as("kept from order.created").isEqualByComparingTo("19.98");
    }

    @Test
    void anUnparsableAsOfIsA400NamingIt() {
        String id = created(hub.http.post("/api/customers", "{\"full_name\":\"Bad\",\"email\":\"bad@example.com\"}"));
        for (String bad : List.of("yesterday", "2026-12-06", "2026-12-06T10:15:30", "")) {
            Response answer = hub.http.get("/api/customers/" + id + "?as_of=" + URLEncoder.encode(bad, StandardCharsets.UTF_8));
            assertThat(answer.status()).as(bad + ": " + answer).isEqualTo(400);
            assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(answer.json().get("type").asText()).isEqualTo("urn:herald:problem:invalid-parameter");
            assertThat(answer.json().get("parameter").asText()).isEqualTo("as_of");
            assertThat(answer.json().get("detail").asText()).contains("as_of");
        }
        assertThat(asOf("/api/customers/no-such-customer", Instant.now()).status()).isEqualTo(404);
    }

    @Test
    void theEventStreamPagesByVersionAndTime() {
        String id = created(hub.http.post("/api/customers", "{\"full_name\":\"Pages\",\"email\":\"p1@example.com\"}"));
        for (int i = 2; i <= 5; i++) {
            assertThat(hub.http.put("/api/customers/" + id, "{\"email\":\"p" + i + "@example.com\"}").status())
                    .isEqualTo(201);
        }
        String events = "/api/customers/" + id + "/events";
        List<Instant> times = eventTimes(events);

        assertThat(versions(page(events + "?from_version=2&to_version=3"))).containsExactly(2, 3);
        assertThat(versions(page(events + "?from_version=4"))).containsExactly(4, 5);
        assertThat(versions(page(events + "?to_version=1"))).containsExactly(1);
        assertThat(versions(page(events + "?until=" + times.get(2)))).containsExactly(1, 2, 3);
        assertThat(versions(page(events + "?until=" + times.get(2).minusNanos(1000)))).containsExactly(1, 2);
        assertThat(versions(page(events + "?from_version=2&until=" + times.get(3)))).containsExactly(2, 3, 4);
        assertThat(versions(page(events + "?from_version=6"))).as("past the end: an empty page").isEmpty();
        assertThat(versions(page(events + "?until=" + times.get(0).minusSeconds(1)))).isEmpty();
        assertThat(versions(page(events))).containsExactly(1, 2, 3, 4, 5);

        badParameter(events + "?from_version=3&to_version=2", "to_version");
        badParameter(events + "?from_version=abc", "from_version");
        badParameter(events + "?to_version=-1", "to_version");
        badParameter(events + "?until=soon", "until");
        assertThat(hub.http.get("/api/customers/no-such-customer/events?from_version=1").status()).isEqualTo(404);
    }

    private static void badParameter(String path, String parameter) {
        Response answer = hub.http.get(path);
        assertThat(answer.status()).as(path + ": " + answer).isEqualTo(400);
        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(answer.json().get("parameter").asText()).isEqualTo(parameter);
    }

    private static JsonNode page(String path) {
        Response answer = hub.http.get(path);
        assertThat(answer.status()).as(path + ": " + answer).isEqualTo(200);
        return answer.json();
    }

    private static List<Integer> versions(JsonNode page) {
        List<Integer> versions = new ArrayList<>();
        page.get("events").forEach(event -> versions.add(event.at("/event/aggregateversion").asInt()));
        return versions;
    }

    /** Each event's time (its CloudEvent's time, the events table's occurred_at), in version order. */
    private static List<Instant> eventTimes(String path) {
        List<Instant> times = new ArrayList<>();
        page(path).get("events").forEach(event -> times.add(Instant.parse(event.at("/event/time").asText())));
        return times;
    }

    private static Response asOf(String path, Instant time) {
        return hub.http.get(path + "?as_of=" + time);
    }

    private static JsonNode ok(Response answer, int version) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.header("ETag")).isEqualTo("\"" + version + "\"");
        assertThat(answer.json().get("version").asInt()).isEqualTo(version);
        return answer.json();
    }

    private static String created(Response answer) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(201);
        return answer.json().get("aggregate_id").asText();
    }
}
