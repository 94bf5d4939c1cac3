package dev.herald.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes a CDC source can never make events of, on the hub's embedded PostgreSQL: a row its event's schema refuses
 * and a row without the id column go to the dead-letter store (stage cdc, with the change's LSN, table, key and row)
 * instead of holding the source; the changes after them, of the same row too, reach Kafka in order and the slot
 * advances past them. After the schema is fixed (and the hub restarted, which reads schemas at start), an operator's
 * retry appends the refused change as the row's next event.
 */
class CdcRefusedTest {

    /** created and updated: credit at most 1000 (the legacy application writes more) */
    private static final String STRICT = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "required": ["customer_no", "name", "credit"],
             "properties": {"customer_no": {"type": "string"}, "name": {"type": "string"},
                            "credit": {"type": "number", "maximum": 1000}}}
            """;
    private static final String FIXED = STRICT.replace(", \"maximum\": 1000", "");

    @Test
    void aRefusedChangeIsDeadLetteredTheSourceGoesOnAndARetryAfterTheFixAppendsIt(@TempDir Path temp)
            throws Exception {
        String topic = "legacy-refused-" + UUID.randomUUID();
        String contacts = "legacy-contacts-" + UUID.randomUUID();
        HubHome home = CdcSourceTest.legacyHome(temp.resolve("home"), topic)
                .write("schemas/events/legacy-customer.created/1.json", STRICT)
                .write("schemas/events/legacy-customer.updated/1.json", STRICT)
                // a second source whose id column may be empty: such a row can never be an event
                .write("sql/V902__legacy_contacts.sql", """
                        CREATE TABLE legacy_contacts (contact_no bigint PRIMARY KEY, email text);
                        """)
                .write("routes/legacy-contacts.camel.yaml", CdcSourceTest.source("legacy-contacts",
                        "public.legacy_contacts", "legacy-contact", "email", contacts));
        for (String kind : new String[] {"created", "updated", "deleted"}) {
            home.write("schemas/events/legacy-contact." + kind + "/1.json", """
                    {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                     "properties": {"contact_no": {"type": "integer"}, "email": {"type": "string"}}}
                    """);
        }
        Map<String, String> settings = CdcSourceTest.settings(home, temp.resolve("data"));
        String rich = "R-" + UUID.randomUUID();
        String plain = "P-" + UUID.randomUUID();
        long deadLetter;
        try (TestHub hub = TestHub.startWith(settings); TopicReader reader = new TopicReader(hub.brokers(), topic);
                TopicReader contactReader = new TopicReader(hub.brokers(), contacts)) {
            CdcSourceTest.awaitSourceStreaming(hub);
            await().atMost(Duration.ofSeconds(60)).until(() -> hub.queryLong("SELECT count(*) FROM "
                    + "pg_replication_slots WHERE slot_name = 'herald_legacy_contacts' AND active") == 1);
            try (Connection legacy = hub.dataSource().getConnection(); Statement sql = legacy.createStatement()) {
                sql.execute("INSERT INTO legacy_customers VALUES ('" + rich + "', 'Rich', 5000)");   // refused
                sql.execute("INSERT INTO legacy_customers VALUES ('" + plain + "', 'Pat', 1)");
                sql.execute("UPDATE legacy_customers SET credit = 2 WHERE customer_no = '" + plain + "'");
                sql.execute("UPDATE legacy_customers SET credit = 900 WHERE customer_no = '" + rich + "'");
                sql.execute("INSERT INTO legacy_contacts VALUES (1, NULL)");                          // no id
                sql.execute("INSERT INTO legacy_contacts VALUES (2, 'ada@example.org')");
            }
            // the changes after the refused one flow, in order; of the refused row too, its stream has a gap
            await().atMost(Duration.ofSeconds(60)).until(() -> reader.recordsFor(plain).size() >= 2
                    && !reader.recordsFor(rich).isEmpty() && !contactReader.recordsFor("ada@example.org").isEmpty());
            assertThat(CdcSourceTest.events(reader.recordsFor(plain))).extracting(CloudEvent::getType)
                    .containsExactly("legacy-customer.created", "legacy-customer.updated");
            List<CloudEvent> ofRich = CdcSourceTest.events(reader.recordsFor(rich));
            assertThat(ofRich).extracting(CloudEvent::getType).containsExactly("legacy-customer.updated");
            assertThat(ofRich).extracting(e -> e.getExtension("aggregateversion")).containsExactly(1);

            // both refusals are dead letters of stage cdc, with the change's identity, the reason and the row
            Response open = hub.http.get("/api/dead-letters?stage=cdc&status=open");
            assertThat(open.status()).as(open.toString()).isEqualTo(200);
            JsonNode items = open.json().get("items");
            assertThat(items).hasSize(2);
            JsonNode refused = find(items, "legacy-customers");
            assertThat(refused.get("eventType").asText()).isEqualTo("legacy-customer.created");
            assertThat(refused.get("aggregateId").asText()).isEqualTo(rich);
            assertThat(refused.get("failureReason").asText()).contains("credit");
            JsonNode change = refused.get("originalEvent");
            assertThat(change.get("table").asText()).isEqualTo("public.legacy_customers");
            assertThat(change.get("key").asText()).isEqualTo(rich);
            assertThat(change.get("operation").asText()).isEqualTo("c");
            assertThat(change.get("row").get("credit").decimalValue()).isEqualByComparingTo("5000");
            assertThat(change.get("lsn").isNumber()).isTrue();
            JsonNode noId = find(items, "legacy-contacts");
            assertThat(noId.get("failureReason").asText()).contains("has no email");
            assertThat(noId.get("originalEvent").get("row").get("contact_no").asLong()).isEqualTo(1);
            assertThat(hub.metricSum("herald_cdc_changes_total", "outcome=\"dead-lettered\"")).isEqualTo(2);
            assertThat(hub.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ?", rich)).isEqualTo(1);

            // the slot advances past the refused change: Debezium counted it as done
            long lsn = change.get("lsn").asLong();
            await().atMost(Duration.ofSeconds(60)).until(() -> hub.queryLong("SELECT count(*) FROM "
                    + "pg_replication_slots WHERE slot_name = 'herald_legacy_customers' "
                    + "AND confirmed_flush_lsn - '0/0'::pg_lsn > ?", lsn) == 1);

            // retried before the fix: refused again, answered at once, still open
            deadLetter = refused.get("id").asLong();
            Response again = hub.http.post("/api/dead-letters/" + deadLetter + "/retry", "");
            assertThat(again.status()).as(again.toString()).isEqualTo(409);
            assertThat(again.json().get("type").asText()).endsWith("change-refused");
            assertThat(hub.http.get("/api/dead-letters/" + deadLetter).json().get("resolution").isNull()).isTrue();
        }

        // the operator relaxes the schema (read at start) and retries: the change is the row's next event
        home.write("schemas/events/legacy-customer.created/1.json", FIXED);
        try (TestHub hub = TestHub.startWith(settings); TopicReader reader = new TopicReader(hub.brokers(), topic)) {
            CdcSourceTest.awaitSourceStreaming(hub);
            Response retried = hub.http.post("/api/dead-letters/" + deadLetter + "/retry", "");
            assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
            assertThat(retried.json().get("resolution").asText()).isEqualTo("retried");
            await().atMost(Duration.ofSeconds(60)).until(() -> reader.recordsFor(rich).size() >= 2);
            List<CloudEvent> ofRich = CdcSourceTest.events(reader.recordsFor(rich));
            assertThat(ofRich).extracting(CloudEvent::getType)
                    .containsExactly("legacy-customer.updated", "legacy-customer.created");
            assertThat(ofRich).extracting(e -> e.getExtension("aggregateversion")).containsExactly(1, 2);
            assertThat(CdcSourceTest.data(ofRich.get(1)).get("credit").decimalValue()).isEqualByComparingTo("5000");
            // recorded under the change's identity: Debezium delivering it again would be a replay
            assertThat(hub.queryLong("SELECT count(*) FROM inbox WHERE source = 'cdc:legacy-customers' AND event_id = ?",
                    change(deadLetter, hub))).isEqualTo(1);
            // retried once: a second retry finds it resolved
            assertThat(hub.http.post("/api/dead-letters/" + deadLetter + "/retry", "").status()).isEqualTo(409);
        }
    }

    /**
     * The dead-letter store cannot take a refused change (its table away between the refusal and the write): the
     * write is retried, the source waits instead of its engine stopping, and once the store is back the dead letter
     * is written and the changes after it flow, without a restart.
     */
    @Test
    void aDeadLetterStoreAwayIsWaitedForAndTheSourceGoesOnWithoutARestart(@TempDir Path temp) throws Exception {
        String topic = "legacy-refused-" + UUID.randomUUID();
        HubHome home = CdcSourceTest.legacyHome(temp.resolve("home"), topic)
                .write("schemas/events/legacy-customer.created/1.json", STRICT);
        Map<String, String> settings = new java.util.HashMap<>(CdcSourceTest.settings(home, temp.resolve("data")));
        settings.put("herald.cdc.max-backoff", "500");
        String rich = "R-" + UUID.randomUUID();
        String plain = "P-" + UUID.randomUUID();
        try (TestHub hub = TestHub.startWith(settings); TopicReader reader = new TopicReader(hub.brokers(), topic)) {
            CdcSourceTest.awaitSourceStreaming(hub);
            try (Connection legacy = hub.dataSource().getConnection(); Statement sql = legacy.createStatement()) {
                sql.execute("ALTER TABLE dead_letters RENAME TO dead_letters_away");
                sql.execute("INSERT INTO legacy_customers VALUES ('" + rich + "', 'Rich', 5000)");   // refused
                // the write waits, retried (before: it failed once and the source's engine stopped)
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> hub.camel().getInflightRepository().size("cdc-dead-letter") == 1);
                sql.execute("INSERT INTO legacy_customers VALUES ('" + plain + "', 'Pat', 1)");
                sql.execute("ALTER TABLE dead_letters_away RENAME TO dead_letters");
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> !reader.recordsFor(plain).isEmpty());
            assertThat(hub.queryLong("SELECT count(*) FROM dead_letters WHERE stage = 'cdc' AND aggregate_id = ?",
                    rich)).isEqualTo(1);
            assertThat(reader.recordsFor(rich)).isEmpty();
            assertThat(hub.metricSum("herald_cdc_changes_total", "outcome=\"dead-lettered\"")).isEqualTo(1);
        }
    }

    private static JsonNode find(JsonNode items, String source) {
        for (JsonNode item : items) {
            if (item.get("destination").asText().equals(source)) {
                return item;
            }
        }
        throw new AssertionError("no dead letter of source " + source + " in " + items);
    }

    private static String change(long deadLetter, TestHub hub) {
        return hub.http.get("/api/dead-letters/" + deadLetter).json().get("originalEvent").get("position").asText();
    }
}
