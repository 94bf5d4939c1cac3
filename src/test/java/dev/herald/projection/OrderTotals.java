package dev.herald.projection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.HttpApi;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * What the projection customer-order-totals must hold, computed from the event store alone, and ways to add order
 * events: through the API, or as rows written by plain JDBC (to control transactions).
 */
final class OrderTotals {

    static final String PROJECTION = "/api/projections/customer-order-totals";
    /** The projection's output topic. */
    static final String TOPIC = "customer-order-totals";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Rows of customer_order_totals that differ from a SQL aggregate over the events table, both ways (events an
     * operator chose to skip, by discarding the projection's dead letter, left out).
     */
    private static final String MISMATCHES = """
            WITH expected AS (
                SELECT envelope::jsonb #>> '{data,customer_id}' AS customer_id,
                       count(*) FILTER (WHERE event_type = 'order.created') AS placed,
                       count(*) FILTER (WHERE event_type = 'order.cancelled') AS cancelled,
                       coalesce(sum(CAST(envelope::jsonb #>> '{data,total}' AS numeric))
                                FILTER (WHERE event_type = 'order.created'), 0) AS total
                  FROM events WHERE event_type IN ('order.created', 'order.cancelled')
                   AND event_id NOT IN (SELECT event_id FROM dead_letters
                                         WHERE stage = 'projection' AND resolution = 'discarded')
                 GROUP BY 1),
                 actual AS (
                SELECT customer_id, CAST(orders_placed AS bigint), CAST(orders_cancelled AS bigint), total_placed
                  FROM customer_order_totals)
            SELECT count(*) FROM ((SELECT * FROM expected EXCEPT SELECT * FROM actual)
                                  UNION ALL (SELECT * FROM actual EXCEPT SELECT * FROM expected)) AS differ""";

    private OrderTotals() {
    }

    /** orders_placed of each record the projection sent for this customer, in topic order. */
    static List<Integer> placedCounts(TopicReader topic, String customer) {
        return topic.recordsFor(customer).stream().map(record -> json(record.value()).get("orders_placed").asInt())
                .toList();
    }

    static JsonNode json(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long mismatches(TestHub hub) {
        return hub.queryLong(MISMATCHES);
    }

    /** The projection is caught up (lag 0) and its table equals the aggregate over the event store. */
    static boolean exact(TestHub hub) {
        Response projection = hub.http.get(PROJECTION);
        return projection.status() == 200 && projection.json().get("lag").asLong() == 0
                && "live".equals(projection.json().get("status").asText()) && mismatches(hub) == 0;
    }

    static String customer(HttpApi http) {
        String email = UUID.randomUUID() + "@example.com";
        Response created = http.post("/api/customers", "{\"full_name\":\"Buyer\",\"email\":\"" + email + "\"}");
        if (created.status() != 201) {
            throw new IllegalStateException(created.toString());
        }
        return created.json().get("aggregate_id").asText();
    }

    /** Places an order of {@code quantity} x 2.50 through the API; answers its id. */
    static String order(HttpApi http, String customer, int quantity) {
        Response placed = http.post("/api/orders", "{\"customer_id\":\"" + customer + "\",\"items\":[{\"product_id\":"
                + "\"p-1\",\"quantity\":" + quantity + ",\"unit_price\":2.50}]}");
        if (placed.status() != 201) {
            throw new IllegalStateException(placed.toString());
        }
        return placed.json().get("aggregate_id").asText();
    }

    static void cancel(HttpApi http, String order) {
        Response cancelled = http.post("/api/orders/" + order + "/cancel", "{\"reason\":\"changed my mind\"}");
        if (cancelled.status() != 201) {
            throw new IllegalStateException(cancelled.toString());
        }
    }

    private static final String INSERT = """
            INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, schema_version,
                                topic, command_id, envelope, published_at)
            VALUES (?, 'order', ?, 1, 'order.created', 1, 'orders', ?, ?, now())""";

    /** An order.created event row as the store writes it, in the caller's transaction (no order row behind it). */
    static UUID insertCreated(Connection connection, String customer, BigDecimal total) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            UUID eventId = created(insert, customer, total);
            insert.executeUpdate();
            return eventId;
        }
    }

    /** {@code count} order.created rows in one JDBC batch, for customers c-0..c-19, totals 0.25 to 6.25. */
    static void insertCreated(Connection connection, int count) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (int i = 0; i < count; i++) {
                created(insert, "c-" + (i % 20), new BigDecimal(i % 7 + ".25"));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static UUID created(PreparedStatement insert, String customer, BigDecimal total) throws SQLException {
        UUID eventId = UUID.randomUUID();
        String order = "o-" + UUID.randomUUID();
        insert.setObject(1, eventId);
        insert.setString(2, order);
        insert.setObject(3, UUID.randomUUID());
        insert.setString(4, "{\"specversion\":\"1.0\",\"id\":\"" + eventId + "\",\"type\":\"order.created\","
                + "\"source\":\"/test\",\"subject\":\"" + order + "\",\"data\":{\"order_id\":\"" + order
                + "\",\"customer_id\":\"" + customer + "\",\"status\":\"placed\",\"total\":" + total + "}}");
        return eventId;
    }
}
