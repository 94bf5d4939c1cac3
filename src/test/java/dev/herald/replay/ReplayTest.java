package dev.herald.replay;

import static dev.herald.testing.Replays.accepted;
import static dev.herald.testing.Replays.completed;
import static dev.herald.testing.Replays.eventIds;
import static dev.herald.testing.Replays.occurredAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.bridge.webhook.WebhookReceiver;
import dev.herald.bridge.webhook.WebhookReceiver.Received;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * POST /api/replays on real engines: exactly the selected events (types, aggregate, since/until), in order, with their
 * original ids and the replay marker, to a webhook receiver and to a Kafka topic; bad requests start nothing; DELETE
 * cancels; two hubs never send the same page. Pages of 2 events, so every replay here takes several pages.
 */
class ReplayTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static TestHub hub;

    @BeforeAll
    static void start() {
        hub = TestHub.start(Map.of(
                "herald.topics.customers", "customers-" + RUN,
                "herald.topics.orders", "orders-" + RUN,
                "herald.webhooks.allow-private-networks", "true",
                "herald.webhooks.poll-interval", "50",
                "herald.webhooks.timeout", "2000",
                "herald.replays.page-size", "2",
                // a replay starts when it is created; the timer takes one that waited (a transaction anywhere on
                // the database server still open when it reached its end) and failed pages
                "herald.replays.poll-interval", "200"));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void replayToAWebhookEndpointSendsExactlyTheSelectedEventsInOrderWithTheirIdsMarked() throws Exception {
        try (WebhookReceiver live = new WebhookReceiver(); WebhookReceiver first = new WebhookReceiver();
                WebhookReceiver second = new WebhookReceiver()) {
            endpoint(live.url());
            Story story = story();
            // the fan-out has seen them all: endpoints declared now get them only by replay
            await().atMost(PATIENCE).until(() -> live.forAggregate(story.before).size() == 1
                    && live.forAggregate(story.one).size() == 2 && live.forAggregate(story.two).size() == 3
                    && live.forAggregate(story.after).size() == 1);
            JsonNode firstEndpoint = endpoint(first.url());
            String secondEndpoint = endpoint(second.url()).get("id").asText();

            // since..until, customer.* : the two customers' events in between, nothing before, nothing after
            JsonNode replay = accepted(hub, "{\"target\":{\"webhook_endpoint\":\"" + firstEndpoint.get("id").asText()
                    + "\"},\"since\":\"" + story.since + "\",\"until\":\"" + story.until
                    + "\",\"types\":[\"customer.*\"]}");
            List<String> expected = eventIds(hub, "SELECT event_id FROM events WHERE aggregate_id IN (?, ?) "
                    + "AND aggregate_version <= 2 ORDER BY seq", story.one, story.two);
            assertThat(expected).hasSize(4);
            JsonNode done = completed(hub, replay);
            assertThat(done.get("sent").asInt()).isEqualTo(4);
            assertThat(done.get("position").asLong()).isEqualTo(seqOf(expected.get(3)));
            await().atMost(PATIENCE).until(() -> first.received().size() >= 4);
            List<Received> received = first.received();
            assertThat(received).hasSize(4);
            assertThat(ids(received.stream().filter(r -> r.json().path("subject").asText().equals(story.one)).toList()))
                    .containsExactly(expected.get(0), expected.get(1));
            assertThat(ids(received.stream().filter(r -> r.json().path("subject").asText().equals(story.two)).toList()))
                    .containsExactly(expected.get(2), expected.get(3));
            for (Received request : received) {
                assertThat(request.json().get("replay").asBoolean()).isTrue();
                assertThat(request.header("herald-replay")).isEqualTo("true");
                assertThat(request.header("webhook-id")).isEqualTo(request.json().get("id").asText());
                request.verify(firstEndpoint.get("secret").asText());
            }

            // one aggregate, one type, no until: its updates up to now, in version order
            JsonNode byAggregate = accepted(hub, "{\"target\":{\"webhook_endpoint\":\"" + secondEndpoint + "\"},\"since\":\""
                    + story.since + "\",\"types\":[\"customer.updated\"],\"aggregate_id\":\"" + story.two + "\"}");
            List<String> updates = eventIds(hub, "SELECT event_id FROM events WHERE aggregate_id = ? "
                    + "AND event_type = 'customer.updated' ORDER BY seq", story.two);
            assertThat(updates).hasSize(2);
            assertThat(completed(hub, byAggregate).get("sent").asInt()).isEqualTo(2);
            await().atMost(PATIENCE).until(() -> second.received().size() >= 2);
            assertThat(ids(second.received())).containsExactlyElementsOf(updates);
        }
    }

    @Test
    void replayToAKafkaTopicSendsTheSelectedEventsKeyedInOrderWithTheirIdsMarked() throws Exception {
        Story story = story();
        String topic = "replayed-" + RUN;
        JsonNode replay = accepted(hub, "{\"target\":{\"kafka_topic\":\"" + topic + "\"},\"since\":\"" + story.since
                + "\",\"until\":\"" + story.until + "\",\"types\":[\"customer.*\"]}");
        List<String> expected = eventIds(hub, "SELECT event_id FROM events WHERE aggregate_id IN (?, ?) "
                + "AND aggregate_version <= 2 ORDER BY seq", story.one, story.two);
        assertThat(completed(hub, replay).get("sent").asInt()).isEqualTo(4);
        try (TopicReader reader = new TopicReader(hub.brokers(), topic)) {
            List<ConsumerRecord<String, byte[]>> records = await().atMost(PATIENCE)
                    .until(() -> reader.matching(r -> true), r -> r.size() >= 4);
            assertThat(records).hasSize(4);
            List<String> oneIds = new ArrayList<>();
            List<String> twoIds = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                CloudEvent event = TopicReader.cloudEvent(record);
                assertThat(event.getExtension("replay")).isEqualTo(true);
                assertThat(new String(record.headers().lastHeader("replay").value(), StandardCharsets.UTF_8))
                        .isEqualTo("true");
                assertThat(record.key()).isIn(story.one, story.two);
                (record.key().equals(story.one) ? oneIds : twoIds).add(event.getId());
            }
            assertThat(oneIds).containsExactly(expected.get(0), expected.get(1));
            assertThat(twoIds).containsExactly(expected.get(2), expected.get(3));
        }
    }

    @Test
    void badRequestsAreProblemsAndStartNothing() {
        long before = hub.count("replays");
        String since = "\"since\":\"2026-01-01T00:00:00Z\"";
        problem("{\"target\":{\"webhook_endpoint\":\"" + UUID.randomUUID() + "\"}," + since + "}", 404);
        problem("{\"target\":{\"webhook_endpoint\":\"not-an-id\"}," + since + "}", 404);
        problem("{\"target\":{\"kafka_topic\":\"t\"},\"since\":\"2026-02-01T00:00:00Z\",\"until\":\"2026-01-01T00:00:00Z\"}",
                400);
        JsonNode badTime = problem("{\"target\":{\"kafka_topic\":\"t\"},\"since\":\"yesterday\"}", 400);
        assertThat(badTime.get("parameter").asText()).isEqualTo("since");
        assertThat(problem("{\"target\":{\"kafka_topic\":\"t\"}," + since + ",\"until\":\"soon\"}", 400)
                .get("parameter").asText()).isEqualTo("until");
        problem("{\"target\":{\"kafka_topic\":\"t\"}," + since + ",\"types\":[\"order.(created)\"]}", 400);
        problem("{\"target\":{\"kafka_topic\":\"a topic\"}," + since + "}", 400);
        problem("{\"target\":{}," + since + "}", 400);
        problem("{\"target\":{\"kafka_topic\":\"t\",\"webhook_endpoint\":\"x\"}," + since + "}", 400);
        // this hub's RabbitMQ bridge is off: no consumer is declared
        problem("{\"target\":{\"rabbitmq_consumer\":\"audit\"}," + since + "}", 404);
        assertThat(hub.count("replays")).isEqualTo(before);
        assertThat(hub.http.get("/api/replays/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(hub.http.delete("/api/replays/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void deleteCancelsARunningReplayBeforeItsNextPage() throws Exception {
        Story story = story();
        hub.camel().getRouteController().stopRoute("replays.run");
        JsonNode cancelled;
        try {
            JsonNode replay = accepted(hub, "{\"target\":{\"kafka_topic\":\"cancelled-" + RUN + "\"},\"since\":\""
                    + story.since + "\"}");
            Response deleted = hub.http.delete("/api/replays/" + replay.get("id").asText());
            assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
            assertThat(deleted.json().get("status").asText()).isEqualTo("cancelled");
            cancelled = deleted.json();
        } finally {
            hub.camel().getRouteController().startRoute("replays.run");
        }
        // a replay created after it runs to its end; the cancelled one never sent anything
        completed(hub, accepted(hub, "{\"target\":{\"kafka_topic\":\"after-cancel-" + RUN + "\"},\"since\":\"" + story.since
                + "\",\"aggregate_id\":\"" + story.one + "\"}"));
        JsonNode after = hub.http.get("/api/replays/" + cancelled.get("id").asText()).json();
        assertThat(after.get("status").asText()).isEqualTo("cancelled");
        assertThat(after.get("sent").asInt()).isZero();
        assertThat(after.get("position").asLong()).isZero();
        JsonNode list = hub.http.get("/api/replays").json();
        assertThat(list.findValuesAsText("id")).contains(cancelled.get("id").asText());
    }

    @Test
    void aReplayToAWebhookEndpointDeletedMeanwhileFails() throws Exception {
        Story story = story();
        String endpoint;
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            endpoint = endpoint(receiver.url()).get("id").asText();
        }
        hub.camel().getRouteController().stopRoute("replays.run");
        JsonNode replay;
        try {
            replay = accepted(hub, "{\"target\":{\"webhook_endpoint\":\"" + endpoint + "\"},\"since\":\""
                    + story.since + "\"}");
            assertThat(hub.http.delete("/api/webhooks/endpoints/" + endpoint).status()).isEqualTo(204);
        } finally {
            hub.camel().getRouteController().startRoute("replays.run");
        }
        // the next replay created wakes the runner, which takes every running one
        completed(hub, accepted(hub, "{\"target\":{\"kafka_topic\":\"after-delete-" + RUN + "\"},\"since\":\""
                + story.since + "\",\"aggregate_id\":\"" + story.one + "\"}"));
        JsonNode failed = await().atMost(PATIENCE).until(() -> hub.http.get("/api/replays/"
                + replay.get("id").asText()).json(), r -> r.get("status").asText().equals("failed"));
        assertThat(failed.get("error").asText()).contains("deleted");
        assertThat(failed.get("sent").asInt()).isZero();
    }

    @Test
    void twoHubsOnOneDatabaseNeverSendTheSamePage() throws Exception {
        Story story = story();
        Map<String, String> sameDatabase = new java.util.HashMap<>(Map.of(
                "herald.db.url", hub.setting("herald.db.url"),
                "herald.topics.customers", "customers-" + RUN,
                "herald.topics.orders", "orders-" + RUN,
                "herald.replays.page-size", "1",
                "herald.replays.poll-interval", "20"));
        try (TestHub second = TestHub.start(sameDatabase)) {
            long events = hub.queryLong("SELECT count(*) FROM events WHERE occurred_at >= CAST(? AS timestamptz)",
                    story.since);
            List<String> topics = List.of("shared-1-" + RUN, "shared-2-" + RUN, "shared-3-" + RUN);
            List<JsonNode> replays = new ArrayList<>();
            for (String topic : topics) {
                replays.add(accepted(second, "{\"target\":{\"kafka_topic\":\"" + topic + "\"},\"since\":\""
                        + story.since + "\"}"));
            }
            for (int i = 0; i < topics.size(); i++) {
                assertThat(completed(hub, replays.get(i)).get("sent").asLong()).isEqualTo(events);
                try (TopicReader reader = new TopicReader(hub.brokers(), topics.get(i))) {
                    List<ConsumerRecord<String, byte[]>> records = await().atMost(PATIENCE)
                            .until(() -> reader.matching(r -> true), r -> r.size() >= events);
                    // each event once: no page went out twice
                    assertThat(records.stream().map(r -> TopicReader.cloudEvent(r).getId()).distinct().count())
                            .isEqualTo(records.size()).isEqualTo(events);
                }
            }
        }
    }

    /** Customer one (created, renamed) and two (created, renamed) from since to until; before and after outside. */
    private record Story(String since, String until, String before, String one, String two, String after) {
    }

    private static Story story() throws Exception {
        String before = customer("Before");
        String one = customer("One");
        rename(one, "One again");
        String two = customer("Two");
        rename(two, "Two again");
        rename(two, "Two thrice");
        String after = customer("After");
        return new Story(occurredAt(hub, one, 1), occurredAt(hub, two, 2), before, one, two, after);
    }

    private static JsonNode endpoint(String url) {
        Response created = hub.http.post("/api/webhooks/endpoints", "{\"url\":\"" + url + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    private static String customer(String name) {
        Response created = hub.http.post("/api/customers", "{\"full_name\":\"" + name + "\",\"email\":\""
                + name.toLowerCase() + "." + UUID.randomUUID() + "@example.com\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("aggregate_id").asText();
    }

    private static void rename(String id, String name) {
        Response updated = hub.http.put("/api/customers/" + id, "{\"full_name\":\"" + name + "\"}");
        assertThat(updated.status()).as(updated.toString()).isEqualTo(201);
    }

    private static JsonNode problem(String json, int status) {
        Response refused = hub.http.post("/api/replays", json);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(status);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        return refused.json();
    }

    private static List<String> ids(List<Received> received) {
        return received.stream().map(r -> r.json().get("id").asText()).toList();
    }

    private static long seqOf(String eventId) {
        return hub.queryLong("SELECT seq FROM events WHERE event_id = CAST(? AS uuid)", eventId);
    }
}
