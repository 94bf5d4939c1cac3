package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.SharedHub;
import dev.herald.testing.TestHub;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 8's bad-input corpus: generated and hand-written cases over every endpoint. Each must get a 4xx
 * problem+json, and the database and the topics must be unchanged after it (and after all of them).
 */
class BadInputCorpusTest {

    private static final String[] TABLES = {"events", "commands", "customers", "orders", "dead_letters"};
    private static TestHub hub;
    private static String customerId;
    private static String orderId;
    private static Map<String, Long> rowsBefore;
    private static long recordsBefore;

    private record Case(String name, String method, String path, byte[] body, String... headers) {
        static Case json(String name, String method, String path, String body, String... headers) {
            String[] all = Stream.concat(Stream.of("Content-Type", "application/json"), Stream.of(headers))
                    .toArray(String[]::new);
            return new Case(name, method, path, body.getBytes(StandardCharsets.UTF_8), all);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        hub = SharedHub.get();
        customerId = hub.http.post("/api/customers", "{\"full_name\":\"Corpus\",\"email\":\"corpus@example.com\"}")
                .json().get("aggregate_id").asText();
        orderId = hub.http.post("/api/orders", "{\"customer_id\":\"" + customerId + "\",\"items\":[{\"product_id\":"
                + "\"p\",\"quantity\":1,\"unit_price\":1}]}").json().get("aggregate_id").asText();
        rowsBefore = rows();
        recordsBefore = records();
    }

    @AfterAll
    static void nothingChanged() throws Exception {
        assertThat(rows()).isEqualTo(rowsBefore);
        assertThat(records()).isEqualTo(recordsBefore);
    }

    @TestFactory
    Stream<DynamicTest> everyCaseIsRefusedWithProblemJsonAndChangesNothing() {
        List<Case> cases = corpus();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(200);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> refused(c)));
    }

    private static void refused(Case c) throws Exception {
        Map<String, Long> before = rows();
        Response response = hub.http.raw(c.method(), c.path(), c.body(), c.headers());
        assertThat(response.status()).as(c.name() + " -> " + response.body()).isBetween(400, 499);
        assertThat(response.header("Content-Type")).as(c.name()).isEqualTo("application/problem+json");
        assertThat(response.json().get("status").asInt()).isEqualTo(response.status());
        assertThat(response.json().get("type").asText()).startsWith("urn:herald:problem:");
        assertThat(rows()).as(c.name()).isEqualTo(before);
    }

    private static List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        Map<String, String> bodyEndpoints = Map.of(
                "POST /api/customers", "/api/customers",
                "PUT /api/customers/{id}", "/api/customers/" + customerId,
                "POST /api/orders", "/api/orders",
                "POST /api/orders/{id}/cancel", "/api/orders/" + orderId + "/cancel",
                "POST /api/keys", "/api/keys");
        List<String> malformed = List.of("", "{", "}", "{\"a\":}", "{'full_name':'x'}", "{\"full_name\":\"x\",}",
                "{\"full_name\":NaN}", "{\"n\":01}", "null", "\"text\"", "42", "true", "[]", "[{}]",
                "{\"full_name\":\"x\"} {}", "{\"full_name\":\"x\" \"email\":\"y\"}", "{\"a\":\"\u0001\"}",
                "{\"a\":\"unterminated}", "{\"a\":[1,2}", "\u0000", "{\"a\":1e99999999}", "{} // comment",
                "{\"full_name\":\"x\",\"full_name\":\"y\",\"email\":\"a@example.com\"}");
        bodyEndpoints.forEach((name, path) -> {
            String method = name.substring(0, name.indexOf(' '));
            for (String body : malformed) {
                cases.add(Case.json(name + " malformed " + printable(body), method, path, body));
            }
            cases.add(Case.json(name + " deep nesting", method, path, "{\"a\":" + "[".repeat(3000)
                    + "]".repeat(3000) + "}"));
            cases.add(new Case(name + " invalid UTF-8", method, path,
                    new byte[] {'{', '"', 'f', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'},
                    "Content-Type", "application/json"));
            cases.add(new Case(name + " truncated UTF-8", method, path,
                    new byte[] {'{', '"', 'f', '"', ':', '"', (byte) 0xE2, (byte) 0x82},
                    "Content-Type", "application/json"));
            for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
                    "multipart/form-data; boundary=x", "application/jsonx")) {
                cases.add(new Case(name + " content type " + type, method, path,
                        "{\"full_name\":\"x\",\"email\":\"a@example.com\"}".getBytes(StandardCharsets.UTF_8),
                        "Content-Type", type));
            }
            cases.add(new Case(name + " no content type", method, path,
                    "{\"full_name\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
        });
        // wrong types, out of range, unknown and missing fields: customer create
        for (String fullName : List.of("42", "true", "null", "[]", "{}", "\"\"", "\"" + "x".repeat(201) + "\"",
                "\"" + "x".repeat(100_000) + "\"", "1" + "0".repeat(1000))) {
            cases.add(Case.json("create customer full_name=" + printable(fullName), "POST", "/api/customers",
                    "{\"full_name\":" + fullName + ",\"email\":\"a@example.com\"}"));
        }
        for (String email : List.of("\"not-an-email\"", "\"a@\"", "\"@b.c\"", "\"a b@c.d\"", "42", "null",
                "\"" + "a".repeat(400) + "@example.com\"", "\"a@example.com\\u0000\"", "[\"a@example.com\"]")) {
            cases.add(Case.json("create customer email=" + printable(email), "POST", "/api/customers",
                    "{\"full_name\":\"x\",\"email\":" + email + "}"));
        }
        cases.add(Case.json("create customer missing email", "POST", "/api/customers", "{\"full_name\":\"x\"}"));
        cases.add(Case.json("create customer missing full_name", "POST", "/api/customers", "{\"email\":\"a@b.co\"}"));
        cases.add(Case.json("create customer unknown field", "POST", "/api/customers",
                "{\"full_name\":\"x\",\"email\":\"a@example.com\",\"admin\":true}"));
        cases.add(Case.json("create customer id smuggled", "POST", "/api/customers",
                "{\"full_name\":\"x\",\"email\":\"a@example.com\",\"customer_id\":\"mine\"}"));
        cases.add(Case.json("create customer sql in name is data, but version smuggled", "POST", "/api/customers",
                "{\"full_name\":\"x'); DROP TABLE customers; --\",\"email\":\"a@example.com\",\"version\":99}"));
        cases.add(Case.json("update customer empty", "PUT", "/api/customers/" + customerId, "{}"));
        cases.add(Case.json("update customer unknown field", "PUT", "/api/customers/" + customerId,
                "{\"balance\":1000000}"));
        // orders: items and numbers
        for (String item : List.of("{\"product_id\":\"p\",\"quantity\":0,\"unit_price\":1}",
                "{\"product_id\":\"p\",\"quantity\":-1,\"unit_price\":1}",
                "{\"product_id\":\"p\",\"quantity\":1.5,\"unit_price\":1}",
                "{\"product_id\":\"p\",\"quantity\":\"1\",\"unit_price\":1}",
                "{\"product_id\":\"p\",\"quantity\":1000001,\"unit_price\":1}",
                "{\"product_id\":\"p\",\"quantity\":1e400,\"unit_price\":1}",
                "{\"product_id\":\"p\",\"quantity\":1,\"unit_price\":-0.01}",
                "{\"product_id\":\"p\",\"quantity\":1,\"unit_price\":\"free\"}",
                "{\"product_id\":\"p\",\"quantity\":1,\"unit_price\":1e10}",
                "{\"product_id\":\"\",\"quantity\":1,\"unit_price\":1}",
                "{\"product_id\":\"" + "p".repeat(65) + "\",\"quantity\":1,\"unit_price\":1}",
                "{\"quantity\":1,\"unit_price\":1}", "{\"product_id\":\"p\",\"unit_price\":1}",
                "{\"product_id\":\"p\",\"quantity\":1}", "{\"product_id\":\"p\",\"quantity\":1,\"unit_price\":1,"
                        + "\"discount\":100}", "[]", "null", "42")) {
            cases.add(Case.json("order item " + printable(item), "POST", "/api/orders",
                    "{\"customer_id\":\"" + customerId + "\",\"items\":[" + item + "]}"));
        }
        String item = "{\"product_id\":\"p\",\"quantity\":1,\"unit_price\":1}";
        cases.add(Case.json("order 501 items", "POST", "/api/orders", "{\"customer_id\":\"" + customerId
                + "\",\"items\":[" + String.join(",", java.util.Collections.nCopies(501, item)) + "]}"));
        cases.add(Case.json("order no items", "POST", "/api/orders", "{\"customer_id\":\"" + customerId
                + "\",\"items\":[]}"));
        cases.add(Case.json("order items not an array", "POST", "/api/orders", "{\"customer_id\":\"" + customerId
                + "\",\"items\":" + item + "}"));
        for (String customer : List.of("\"nobody\"", "\"' OR '1'='1\"", "\"\"", "42", "null",
                "\"" + "c".repeat(65) + "\"")) {
            cases.add(Case.json("order customer_id=" + printable(customer), "POST", "/api/orders",
                    "{\"customer_id\":" + customer + ",\"items\":[" + item + "]}"));
        }
        cases.add(Case.json("cancel without reason", "POST", "/api/orders/" + orderId + "/cancel", "{}"));
        cases.add(Case.json("cancel reason too long", "POST", "/api/orders/" + orderId + "/cancel",
                "{\"reason\":\"" + "r".repeat(501) + "\"}"));
        cases.add(Case.json("delete customer with a body", "DELETE", "/api/customers/" + customerId,
                "{\"force\":true}"));
        // headers
        for (String ifMatch : List.of("bogus", "\"-1\"", "\"99999999999\"", "W/\"x\"", "\"1\", \"2\"")) {
            cases.add(Case.json("If-Match " + ifMatch, "PUT", "/api/customers/" + customerId,
                    "{\"full_name\":\"y\"}", "If-Match", ifMatch));
        }
        cases.add(Case.json("If-Match stale version", "PUT", "/api/customers/" + customerId,
                "{\"full_name\":\"y\"}", "If-Match", "\"7\""));
        cases.add(Case.json("Idempotency-Key too long", "POST", "/api/customers",
                "{\"full_name\":\"x\",\"email\":\"a@example.com\"}", "Idempotency-Key", "k".repeat(256)));
        cases.add(Case.json("Idempotency-Key blank", "POST", "/api/customers",
                "{\"full_name\":\"x\",\"email\":\"a@example.com\"}", "Idempotency-Key", " "));
        // ids and paths: SQL, traversal, encodings
        for (String id : List.of("%27%20OR%201%3D1%20--", "..%2F..%2Fetc%2Fpasswd", "%00", "%E2%80%AE",
                "1;DROP%20TABLE%20events", "%25", "x".repeat(300), "%F0%9F%98%80", "null", "-1")) {
            cases.add(new Case("GET customer " + id.substring(0, Math.min(id.length(), 40)), "GET",
                    "/api/customers/" + id, null));
            cases.add(Case.json("PUT customer " + id.substring(0, Math.min(id.length(), 40)), "PUT",
                    "/api/customers/" + id, "{\"full_name\":\"y\"}"));
            cases.add(Case.json("cancel order " + id.substring(0, Math.min(id.length(), 40)), "POST",
                    "/api/orders/" + id + "/cancel", "{\"reason\":\"r\"}"));
            cases.add(new Case("GET command " + id.substring(0, Math.min(id.length(), 40)), "GET",
                    "/api/commands/" + id, null));
        }
        // reads and operator paths with bad parameters
        for (String query : List.of("limit=abc", "limit=1e9", "limit=-1%20OR%201=1", "limit=%27")) {
            cases.add(new Case("list customers " + query, "GET", "/api/customers?" + query, null));
        }
        for (String query : List.of("since=not-a-time", "until=2026-13-45", "after=abc", "limit=abc",
                "status=%27", "limit=99999999999999999999")) {
            cases.add(new Case("list dead letters " + query, "GET", "/api/dead-letters?" + query, null));
        }
        cases.add(new Case("retry dead letters since bad", "POST", "/api/dead-letters/retry?since=yesterday-ish", null));
        cases.add(new Case("retry unknown dead letter", "POST", "/api/dead-letters/999999999/retry", null));
        cases.add(new Case("discard unknown dead letter", "DELETE", "/api/dead-letters/abc", null));
        cases.add(new Case("revoke unknown key", "DELETE", "/api/keys/not-a-key", null));
        cases.add(Case.json("key with unknown scope", "POST", "/api/keys", "{\"name\":\"k\",\"scopes\":[\"root\"]}"));
        cases.add(Case.json("key without scopes", "POST", "/api/keys", "{\"name\":\"k\",\"scopes\":[]}"));
        // methods and unknown paths
        for (String[] call : List.of(new String[] {"PATCH", "/api/customers"}, new String[] {"DELETE", "/api/orders"},
                new String[] {"PUT", "/api/orders"}, new String[] {"GET", "/api/customers/x/y/z"},
                new String[] {"POST", "/api/commands/x"}, new String[] {"GET", "/api"},
                new String[] {"GET", "/api/customers/" + customerId + "/events/1"})) {
            cases.add(Case.json(call[0] + " " + call[1], call[0], call[1], "{}"));
        }
        return cases;
    }

    private static String printable(String body) {
        String shown = body.length() > 40 ? body.substring(0, 40) + "...(" + body.length() + ")" : body;
        return shown.chars().mapToObj(c -> c < 32 ? String.format("\\u%04x", c) : String.valueOf((char) c))
                .collect(Collectors.joining());
    }

    private static Map<String, Long> rows() {
        return Stream.of(TABLES).collect(Collectors.toMap(table -> table, hub::count));
    }

    private static long records() throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, hub.brokers()))) {
            Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(List.of("customers", "orders")).allTopicNames()
                    .get().values().stream().flatMap(topic -> topic.partitions().stream()
                            .map(p -> new TopicPartition(topic.name(), p.partition())))
                    .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
            return admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                    .values().stream().mapToLong(info -> info.offset()).sum();
        }
    }
}
