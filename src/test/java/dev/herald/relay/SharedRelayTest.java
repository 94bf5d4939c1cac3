package dev.herald.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.Engines;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.Invariants.Outcomes;
import dev.herald.testing.Invariants.Summary;
import dev.herald.testing.Invariants;
import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Two hub instances on one database share the relay work; one stops mid-stream and a third, crashed one
 * left claims behind: everything is published, each aggregate's events in version order, no event twice
 * except as a same-id redelivery.
 */
class SharedRelayTest {

    private static final int AGGREGATES = 12;
    private static final int UPDATES_PER_WRITER = 40;

    @Test
    void twoRelaysShareTheOutboxAndTheSurvivorFinishesWhatTheOthersHeld() throws Exception {
        Map<String, String> outbox = Map.of("herald.publish.mode", "outbox", "herald.relay.interval", "100",
                "herald.relay.batch-size", "20", "herald.relay.lease", "3000");
        TestHub first = TestHub.start(outbox);
        Map<String, String> sameDatabase = new LinkedHashMap<>(outbox);
        sameDatabase.put("herald.db.url", first.setting("herald.db.url"));
        try (TestHub second = TestHub.start(sameDatabase)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < AGGREGATES; i++) {
                Response created = (i % 2 == 0 ? first : second).http.post("/api/customers",
                        "{\"full_name\":\"Shared " + i + "\",\"email\":\"shared@example.com\"}");
                assertThat(created.status()).isEqualTo(202);
                ids.add(created.json().get("aggregate_id").asText());
            }
            ExecutorService writers = Executors.newFixedThreadPool(4);
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                TestHub via = w % 2 == 0 ? first : second;
                running.add(writers.submit(() -> {
                    for (int u = 0; u < UPDATES_PER_WRITER; u++) {
                        String id = ids.get(ThreadLocalRandom.current().nextInt(AGGREGATES));
                        int status = via.http.put("/api/customers/" + id, "{\"full_name\":\"v" + u + "\"}").status();
                        // two instances racing on one aggregate: the loser hears 409 and nothing of it is kept
                        assertThat(status).isIn(202, 409);
                    }
                }));
            }
            for (Future<?> writer : running) {
                writer.get();
            }
            writers.shutdown();
            // which relay claims a batch is a race: one may win every one of them while the backlog lasts, so the
            // writes go on (one per instance each poll) until each relay has taken some
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (TestHub via : List.of(first, second)) {
                    String id = ids.get(ThreadLocalRandom.current().nextInt(AGGREGATES));
                    assertThat(via.http.put("/api/customers/" + id, "{\"full_name\":\"more\"}").status())
                            .isIn(202, 409);
                }
                return publishedByRelay(first) > 0 && publishedByRelay(second) > 0;
            });

            first.close(); // stops mid-stream: what it held goes back when its lease ends
            // a crashed instance's claims: events it committed and held, and will never publish
            for (String id : ids.subList(0, 3)) {
                long next = second.queryLong("SELECT max(aggregate_version) + 1 FROM events WHERE aggregate_id = ?", id);
                assertThat(second.queryLong("""
                        WITH held AS (
                            INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                                schema_version, topic, command_id, envelope, claimed_by, claimed_until)
                            SELECT e, 'customer', CAST(? AS text), CAST(? AS int), 'customer.updated', 1, 'customers',
                                   gen_random_uuid(),
                                   json_build_object('specversion', '1.0', 'id', e, 'source', '/crashed',
                                       'type', 'customer.updated', 'aggregateversion', CAST(? AS int),
                                       'partitionkey', CAST(? AS text))::text,
                                   'crashed-relay', now() + interval '2 seconds'
                              FROM gen_random_uuid() e
                            RETURNING 1)
                        SELECT count(*) FROM held""", id, next, next, id)).isEqualTo(1);
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> second.queryLong(
                    "SELECT count(*) FROM events WHERE published_at IS NULL") == 0);
            // every event published, each aggregate's versions first seen in order, repeats only under one id
            Engines engines = Engines.get();
            Summary summary = Invariants.check(second.setting("herald.db.url"), engines.user(), engines.password(),
                    second.brokers(), new Outcomes(Map.of(), Set.of()));
            assertThat(summary.violations()).isEmpty();
            assertThat(summary.eventsChecked()).isGreaterThan(AGGREGATES);
        } finally {
            first.close();
        }
    }

    @Test
    void anInstanceWithItsRelayDisabledLeavesPublishingToTheOthers() {
        try (TestHub intakeOnly = TestHub.start(Map.of("herald.publish.mode", "outbox",
                "herald.relay.enabled", "false"))) {
            Map<String, String> relaying = new LinkedHashMap<>(Map.of("herald.publish.mode", "outbox",
                    "herald.db.url", intakeOnly.setting("herald.db.url")));
            try (TestHub relay = TestHub.start(relaying)) {
                Response accepted = intakeOnly.http.post("/api/customers",
                        "{\"full_name\":\"Elsewhere\",\"email\":\"elsewhere@example.com\"}");
                assertThat(accepted.status()).isEqualTo(202);
                await().atMost(Duration.ofSeconds(30)).until(() -> publishedByRelay(relay) == 1);
                assertThat(publishedByRelay(intakeOnly)).isZero();
            }
        }
    }

    private static long publishedByRelay(TestHub hub) {
        String metrics = hub.http.get("/observe/metrics").body();
        return metrics.lines().filter(line -> line.startsWith("herald_events_published_total{path=\"relay\""))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
