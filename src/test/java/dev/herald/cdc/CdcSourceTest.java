package dev.herald.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.bridge.webhook.WebhookReceiver;
import dev.herald.testing.AsyncApiSchema;
import dev.herald.testing.Engines;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CDC source on a plain table of the user's, on the hub's embedded PostgreSQL (wal_level=logical; the machine's
 * server has replica): inserts, updates and deletes made by plain SQL, as the legacy application would, read back
 * as Herald events in Kafka and at a webhook endpoint on loopback, in order per row, each once, versioned per
 * aggregate in the event store.
 */
class CdcSourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TOPIC = "legacy-customers-" + UUID.randomUUID();
    private static final String BEFORE = "S-" + UUID.randomUUID();
    private static final String OUTBOX_TOPIC = "legacy-accounts-" + UUID.randomUUID();
    private static TestHub hub;

    @TempDir
    static Path temp;

    @BeforeAll
    static void start() {
        HubHome home = legacyHome(temp.resolve("home"), TOPIC)
                // a row the legacy application wrote before the source existed: the initial snapshot reads it
                .write("sql/V901__legacy_customer_before.sql",
                        "INSERT INTO legacy_customers VALUES ('" + BEFORE + "', 'Grace', 5);")
                // a second source, in outbox mode: its events committed first, the relay publishes them
                .write("sql/V902__legacy_accounts.sql", """
                        CREATE TABLE legacy_accounts (account_no bigint PRIMARY KEY, balance numeric(12,2) NOT NULL);
                        """)
                .write("routes/legacy-accounts.camel.yaml", source("legacy-accounts", "public.legacy_accounts",
                        "legacy-account", "account_no", OUTBOX_TOPIC) + "      - { name: mode, value: outbox }\n");
        for (String kind : new String[] {"created", "updated", "deleted"}) {
            home.write("schemas/events/legacy-account." + kind + "/1.json", """
                    {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                     "required": ["account_no"], "properties": {"account_no": {"type": "integer"}}}
                    """);
        }
        hub = TestHub.startWith(settings(home, temp.resolve("data")));
        awaitSourceStreaming(hub);
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.queryLong("SELECT count(*) FROM pg_replication_slots "
                + "WHERE slot_name = 'herald_legacy_accounts' AND active") == 1);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    /** The shipped declarations plus a legacy table (a domain migration), its events' schemas and its CDC source. */
    static HubHome legacyHome(Path root, String topic) {
        HubHome home = HubHome.copyOfShipped(root)
                .write("sql/V900__legacy_customers.sql", """
                        CREATE TABLE legacy_customers (customer_no text PRIMARY KEY, name text NOT NULL,
                                                       credit numeric(12,2) NOT NULL DEFAULT 0);
                        """)
                .write("routes/legacy.camel.yaml", source("legacy-customers", "public.legacy_customers",
                        "legacy-customer", "customer_no", topic));
        String row = """
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "required": ["customer_no", "name", "credit"],
                 "properties": {"customer_no": {"type": "string"}, "name": {"type": "string"},
                                "credit": {"type": "number"}}}
                """;
        home.write("schemas/events/legacy-customer.created/1.json", row)
                .write("schemas/events/legacy-customer.updated/1.json", row)
                .write("schemas/events/legacy-customer.deleted/1.json", """
                        {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                         "required": ["customer_no"], "properties": {"customer_no": {"type": "string"}}}
                        """);
        return home;
    }

    /** A CDC source's declaration, as an engineer writes it; its slot is herald_<table>. */
    static String source(String name, String table, String aggregate, String idColumn, String topic) {
        return """
                - templatedRoute:
                    routeTemplateRef: cdc-source
                    routeId: %1$s
                    parameters:
                      - { name: name, value: %1$s }
                      - { name: table, value: %2$s }
                      - { name: slot, value: herald_%3$s }
                      - { name: aggregate, value: %4$s }
                      - { name: idColumn, value: %5$s }
                      - { name: prefix, value: %4$s }
                      - { name: topic, value: "%6$s" }
                """.formatted(name, table, table.substring(table.indexOf('.') + 1), aggregate, idColumn, topic);
    }

    /** The hub's own embedded PostgreSQL (the shared test database may not have wal_level=logical). */
    static Map<String, String> settings(HubHome home, Path data) {
        Map<String, String> settings = new HashMap<>(home.settings());
        settings.put("herald.db.url", "");
        settings.put("herald.data.dir", data.toString());
        settings.put("herald.kafka.brokers", Engines.get().kafkaBrokers());
        settings.put("herald.rabbitmq.enabled", "false");
        settings.put("herald.webhooks.secret-key", TestHub.WEBHOOK_SECRET_KEY);
        settings.put("herald.cdc.slot-lag-interval", "200");
        settings.put("herald.cdc.initial-backoff", "100");
        settings.put("herald.cdc.max-backoff", "1000");
        settings.put("herald.webhooks.allow-private-networks", "true");
        settings.put("herald.webhooks.poll-interval", "50");
        return settings;
    }

    /** Debezium has its slot and streams from it (its snapshot of the empty table done). */
    static void awaitSourceStreaming(TestHub hub) {
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.queryLong(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'herald_legacy_customers' AND active") == 1);
    }

    @Test
    void rowChangesBecomeEventsInOrderPerRowEachOnce() throws Exception {
        String a = "A-" + UUID.randomUUID();
        String b = "B-" + UUID.randomUUID();
        try (WebhookReceiver receiver = new WebhookReceiver(); TopicReader topic = new TopicReader(hub.brokers(), TOPIC);
                Connection legacy = hub.dataSource().getConnection(); Statement sql = legacy.createStatement()) {
            Response endpoint = hub.http.post("/api/webhooks/endpoints",
                    "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"legacy-customer.*\"]}");
            assertThat(endpoint.status()).as(endpoint.toString()).isEqualTo(201);
            sql.execute("INSERT INTO legacy_customers VALUES ('" + a + "', 'Ada', 10)");
            sql.execute("INSERT INTO legacy_customers VALUES ('" + b + "', 'Bob', 20)");
            sql.execute("UPDATE legacy_customers SET credit = 11 WHERE customer_no = '" + a + "'");
            legacy.setAutoCommit(false);             // two changes of one row in one transaction: two events
            sql.execute("UPDATE legacy_customers SET name = 'Ada L.' WHERE customer_no = '" + a + "'");
            sql.execute("UPDATE legacy_customers SET credit = 12.50 WHERE customer_no = '" + a + "'");
            sql.execute("DELETE FROM legacy_customers WHERE customer_no = '" + b + "'");
            legacy.commit();
            legacy.setAutoCommit(true);

            await().atMost(Duration.ofSeconds(60)).until(() -> topic.recordsFor(a).size() >= 4
                    && topic.recordsFor(b).size() >= 2);
            List<CloudEvent> ofA = events(topic.recordsFor(a));
            List<CloudEvent> ofB = events(topic.recordsFor(b));
            assertThat(ofA).extracting(CloudEvent::getType).containsExactly("legacy-customer.created",
                    "legacy-customer.updated", "legacy-customer.updated", "legacy-customer.updated");
            assertThat(ofB).extracting(CloudEvent::getType).containsExactly("legacy-customer.created",
                    "legacy-customer.deleted");
            assertThat(data(ofA.get(0)).get("name").asText()).isEqualTo("Ada");
            assertThat(data(ofA.get(2)).get("name").asText()).isEqualTo("Ada L.");
            assertThat(data(ofA.get(3)).get("credit").decimalValue()).isEqualByComparingTo("12.50");
            assertThat(data(ofB.get(1)).get("customer_no").asText()).isEqualTo(b);
            assertThat(ofA).extracting(e -> e.getExtension("aggregateversion"))
                    .containsExactly(1, 2, 3, 4);

            // the webhook bridge consumes the source's topic like a command's: the same events, in order
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.forAggregate(a).size() >= 4
                    && receiver.forAggregate(b).size() >= 2);
            assertThat(receiver.forAggregate(a)).extracting(hook -> hook.json().get("type").asText())
                    .containsExactly("legacy-customer.created", "legacy-customer.updated", "legacy-customer.updated",
                            "legacy-customer.updated");
            assertThat(receiver.forAggregate(b)).extracting(hook -> hook.json().get("type").asText())
                    .containsExactly("legacy-customer.created", "legacy-customer.deleted");
        }
        // the event store: one version per change, the inbox one row per change
        assertThat(hub.queryLong("SELECT count(*) FROM events WHERE aggregate_type = 'legacy-customer' "
                + "AND aggregate_id = ?", a)).isEqualTo(4);
        assertThat(hub.queryLong("SELECT max(aggregate_version) FROM events WHERE aggregate_type = 'legacy-customer' "
                + "AND aggregate_id = ?", b)).isEqualTo(2);
        assertThat(hub.queryLong("SELECT count(*) FROM inbox WHERE source = 'cdc:legacy-customers' AND event_id LIKE ?",
                "%/public.legacy_customers/" + a)).isEqualTo(4);
        // the slot lag gauge reads the slot
        await().atMost(Duration.ofSeconds(10)).until(() ->
                hub.http.get("/observe/metrics").body().contains("herald_cdc_slot_lag_bytes{slot=\"herald_legacy_customers\"}"));
        assertThat(hub.metricSum("herald_cdc_slot_lag_bytes", "herald_legacy_customers")).isGreaterThanOrEqualTo(0);
        assertThat(hub.metricSum("herald_cdc_changes_total", "outcome=\"stored\"")).isGreaterThanOrEqualTo(6);
    }

    @Test
    void rowsThereBeforeTheSourceAreCreatedEventsOfItsSnapshot() throws Exception {
        try (TopicReader topic = new TopicReader(hub.brokers(), TOPIC)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> !topic.recordsFor(BEFORE).isEmpty());
            List<CloudEvent> events = events(topic.recordsFor(BEFORE));
            assertThat(events).extracting(CloudEvent::getType).containsExactly("legacy-customer.created");
            assertThat(data(events.get(0)).get("name").asText()).isEqualTo("Grace");
        }
        assertThat(hub.queryLong("SELECT count(*) FROM inbox WHERE source = 'cdc:legacy-customers' AND event_id = ?",
                "snapshot/public.legacy_customers/" + BEFORE)).isEqualTo(1);
    }

    @Test
    void anOutboxSourcesEventsAreCommittedThenRelayed() throws Exception {
        try (TopicReader topic = new TopicReader(hub.brokers(), OUTBOX_TOPIC);
                Connection legacy = hub.dataSource().getConnection(); Statement sql = legacy.createStatement()) {
            sql.execute("INSERT INTO legacy_accounts VALUES (7001, 100)");
            sql.execute("UPDATE legacy_accounts SET balance = 90 WHERE account_no = 7001");
            sql.execute("DELETE FROM legacy_accounts WHERE account_no = 7001");
            await().atMost(Duration.ofSeconds(60)).until(() -> topic.recordsFor("7001").size() >= 3);
            List<CloudEvent> events = events(topic.recordsFor("7001"));
            assertThat(events).extracting(CloudEvent::getType).containsExactly("legacy-account.created",
                    "legacy-account.updated", "legacy-account.deleted");
            assertThat(data(events.get(1)).get("balance").decimalValue()).isEqualByComparingTo("90");
            assertThat(data(events.get(2)).get("account_no").asLong()).isEqualTo(7001);
        }
        // the relay published them: committed without the lane's Kafka transaction
        assertThat(hub.queryLong("SELECT count(*) FROM commands c JOIN events e USING (event_id) "
                + "WHERE e.aggregate_type = 'legacy-account' AND e.aggregate_id = '7001' AND c.response_status = 202"))
                .isEqualTo(3);
    }

    /** The AsyncAPI document describes each source's topic and its three event types, as a command's. */
    @Test
    void theSourcesEventsAreInTheAsyncApiDocument() {
        Response answer = hub.http.get("/api/asyncapi.json");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        JsonNode document = answer.json();
        assertThat(AsyncApiSchema.errors(document)).as(answer.body()).isEmpty();
        assertThat(document.at("/channels/kafka." + TOPIC + "/address").asText()).isEqualTo(TOPIC);
        for (String kind : new String[] {"created", "updated", "deleted"}) {
            String type = "legacy-customer." + kind;
            assertThat(document.at("/channels/kafka." + TOPIC + "/messages").has(type)).as(type).isTrue();
            assertThat(document.at("/channels/kafka." + OUTBOX_TOPIC + "/messages").has("legacy-account." + kind))
                    .isTrue();
            JsonNode message = document.at("/components/messages/" + type);
            assertThat(message.at("/payload/allOf/1/properties/type/const").asText()).isEqualTo(type);
            assertThat(message.at("/payload/allOf/1/properties/data/$ref").asText())
                    .endsWith("/api/schemas/" + type + "/1");
            assertThat(message.get("summary").asText()).contains("aggregate legacy-customer");
            // the webhook bridge delivers them too
            assertThat(document.at("/channels/webhooks/messages").has("webhook." + type)).isTrue();
        }
        assertThat(document.at("/operations/publish." + TOPIC + "/action").asText()).isEqualTo("send");
    }

    static List<CloudEvent> events(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(TopicReader::cloudEvent).toList();
    }

    static JsonNode data(CloudEvent event) throws Exception {
        return JSON.readTree(event.getData().toBytes());
    }
}
