package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * The projection scenario (issue 22): a running hub's projection customer-order-totals, held while N order.created
 * events are written to its store in SQL, then let go; its catch-up rate beside plain JDBC applying the same upsert
 * per event to a copy of its table, reading the store the same way (commit order, 500 events per transaction).
 * The hub's projection also writes its output topic, as shipped.
 */
final class ProjectionCatchUp {

    private static final String PROJECTION = "customer-order-totals";
    private static final String UPSERT = """
            INSERT INTO bench_order_totals (customer_id, orders_placed, total_placed) VALUES (?, 1, ?)
            ON CONFLICT (customer_id) DO UPDATE SET orders_placed = bench_order_totals.orders_placed + 1,
                total_placed = bench_order_totals.total_placed + EXCLUDED.total_placed
            RETURNING customer_id, orders_placed, orders_cancelled, total_placed""";

    private ProjectionCatchUp() {
    }

    static void run(Args args) throws Exception {
        int events = Integer.parseInt(args.get("events", "200000"));
        long waitS = Long.parseLong(args.get("wait", "600"));
        try (Connection db = DriverManager.getConnection(args.require("jdbc-url"), args.get("db-user", "postgres"),
                args.get("db-password", "")); Statement sql = db.createStatement()) {
            sql.execute("UPDATE projections SET status = 'failed' WHERE name = '" + PROJECTION + "'");
            Main.log("projection: writing " + events + " order events to the store");
            sql.execute("""
                    INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                        schema_version, topic, command_id, envelope, published_at)
                    SELECT gen_random_uuid(), 'order', 'bench-' || i, 1, 'order.created', 1, 'orders', gen_random_uuid(),
                           json_build_object('specversion', '1.0', 'type', 'order.created', 'data',
                               json_build_object('order_id', 'bench-' || i, 'customer_id', 'c-' || (i % 1000),
                                                 'total', (i % 100) + 0.5))::text, now()
                      FROM generate_series(1, """ + events + ") AS i");
            sql.execute("DROP TABLE IF EXISTS bench_order_totals");
            sql.execute("CREATE TABLE bench_order_totals (LIKE customer_order_totals INCLUDING ALL)");
            sql.execute("ANALYZE events");
            long before = applied(db);
            long started = System.nanoTime();
            sql.execute("UPDATE projections SET status = 'live' WHERE name = '" + PROJECTION + "'");
            long deadline = started + waitS * 1_000_000_000L;
            while (applied(db) < before + events && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long caughtUp = applied(db) - before;
            double herald = caughtUp / seconds;
            Main.log(String.format("projection: %d events in %.1f s, %.0f events/s", caughtUp, seconds, herald));
            double raw = raw(db, events);
            Main.log(String.format("projection: plain JDBC %.0f events/s", raw));
            ObjectNode root = Main.JSON.createObjectNode();
            root.put("scenario", "projection");
            ObjectNode result = root.putObject("projection_catchup");
            result.put("events", events);
            result.put("caught_up", caughtUp);
            result.put("seconds", seconds);
            result.put("herald_per_s", herald);
            result.put("raw_per_s", raw);
            Main.JSON.writeValue(new File(args.require("out")), root);
        }
    }

    private static long applied(Connection db) throws Exception {
        try (Statement sql = db.createStatement();
                ResultSet row = sql.executeQuery("SELECT applied FROM projections WHERE name = '" + PROJECTION + "'")) {
            return row.next() ? row.getLong(1) : 0;
        }
    }

    /** The same reads and upserts by plain JDBC: 500 events per transaction, one statement each. */
    private static double raw(Connection db, int events) throws Exception {
        long started = System.nanoTime();
        String tx = "0";
        long seq = 0;
        int done = 0;
        db.setAutoCommit(false);
        try (PreparedStatement read = db.prepareStatement("""
                SELECT CAST(tx_id AS text), seq, envelope FROM events
                 WHERE (tx_id, seq) > (CAST(? AS xid8), ?) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
                   AND event_type = 'order.created'
                 ORDER BY tx_id, seq LIMIT 500""");
                PreparedStatement upsert = db.prepareStatement(UPSERT)) {
            while (done < events) {
                read.setString(1, tx);
                read.setLong(2, seq);
                int batch = 0;
                try (ResultSet row = read.executeQuery()) {
                    while (row.next()) {
                        tx = row.getString(1);
                        seq = row.getLong(2);
                        JsonNode data = Main.JSON.readTree(row.getString(3)).path("data");
                        upsert.setString(1, data.path("customer_id").asText());
                        upsert.setBigDecimal(2, data.path("total").decimalValue());
                        try (ResultSet changed = upsert.executeQuery()) {
                            changed.next();
                        }
                        batch++;
                    }
                }
                db.commit();
                if (batch == 0) {
                    break;
                }
                done += batch;
            }
        } finally {
            db.setAutoCommit(true);
        }
        return done / ((System.nanoTime() - started) / 1e9);
    }
}
