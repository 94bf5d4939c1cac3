package dev.herald.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw baseline of intake: per command one JDBC transaction with the inserts Herald makes (aggregate row,
 * event row with a ~600-byte JSON envelope, command row) into look-alike tables in schema bench_raw, from
 * the same number of client threads as the saturation run, through a pool as large as Herald's.
 */
final class RawJdbc {

    static final String SCHEMA = "bench_raw";

    private static final String[] DDL = {
        "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE",
        "CREATE SCHEMA " + SCHEMA,
        """
        CREATE TABLE bench_raw.customers (
            customer_id  text        PRIMARY KEY,
            full_name    text        NOT NULL,
            email        text        NOT NULL,
            version      int         NOT NULL,
            created_at   timestamptz NOT NULL DEFAULT now(),
            updated_at   timestamptz NOT NULL DEFAULT now())""",
        """
        CREATE TABLE bench_raw.commands (
            command_id       uuid        PRIMARY KEY,
            command_type     text        NOT NULL,
            aggregate_type   text        NOT NULL,
            aggregate_id     text        NOT NULL,
            event_id         uuid,
            idempotency_key  text        UNIQUE,
            request_hash     text,
            response_status  int         NOT NULL,
            location         text,
            received_at      timestamptz NOT NULL DEFAULT now())""",
        """
        CREATE TABLE bench_raw.events (
            seq                bigserial   PRIMARY KEY,
            event_id           uuid        NOT NULL UNIQUE,
            aggregate_type     text        NOT NULL,
            aggregate_id       text        NOT NULL,
            aggregate_version  int         NOT NULL,
            event_type         text        NOT NULL,
            schema_version     int         NOT NULL,
            topic              text        NOT NULL,
            command_id         uuid        NOT NULL,
            envelope           text        NOT NULL,
            occurred_at        timestamptz NOT NULL DEFAULT now(),
            tx_id              xid8        NOT NULL DEFAULT pg_current_xact_id(),
            published_at       timestamptz,
            publish_attempts   int         NOT NULL DEFAULT 0,
            claimed_until      timestamptz,
            last_error         text,
            CONSTRAINT raw_events_aggregate_version UNIQUE (aggregate_type, aggregate_id, aggregate_version))""",
        "CREATE INDEX raw_events_unpublished ON bench_raw.events (seq) WHERE published_at IS NULL",
    };

    private static final String INSERT_CUSTOMER =
            "INSERT INTO bench_raw.customers (customer_id, full_name, email, version) VALUES (?, ?, ?, ?)";
    private static final String INSERT_EVENT = """
            INSERT INTO bench_raw.events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                                          schema_version, topic, command_id, envelope, occurred_at, claimed_until)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
    private static final String INSERT_COMMAND = """
            INSERT INTO bench_raw.commands (command_id, command_type, aggregate_type, aggregate_id, event_id,
                                            idempotency_key, request_hash, response_status, location)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private final String url;
    private final String user;
    private final String password;

    RawJdbc(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    static HikariDataSource pool(String url, String user, String password, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setPoolName("bench-raw");
        config.setConnectionTimeout(30_000);
        config.setAutoCommit(false);
        return new HikariDataSource(config);
    }

    ObjectNode run(int threads, int poolSize, double warmupSeconds, double seconds, Cpu cpu, ObjectNode out)
            throws Exception {
        try (HikariDataSource pool = pool(url, user, password, poolSize)) {
            execute(pool, DDL);
            try {
                measure(pool, threads, warmupSeconds, new Stats());
                Stats stats = new Stats();
                Cpu.Phase phase = cpu.start();
                double elapsed = measure(pool, threads, seconds, stats);
                phase.end(stats.ok.sum(), 1_000, out.putObject("cpu"));
                out.put("threads", threads);
                out.put("pool_size", poolSize);
                out.put("duration_s", seconds);
                out.put("statements_per_tx", 3);
                out.put("envelope_bytes", envelope(UUID.randomUUID(), "x", "n", "e", OffsetDateTime.now()).length());
                stats.toJson(out, elapsed, "ops_per_s");
                try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                        var rs = s.executeQuery("SELECT count(*) FROM bench_raw.events")) {
                    rs.next();
                    out.put("rows_in_events", rs.getLong(1));
                    c.commit();
                }
            } finally {
                execute(pool, new String[] {"DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE"});
            }
        }
        return out;
    }

    private static void execute(HikariDataSource pool, String[] statements) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
            c.commit();
        }
    }

    private static double measure(HikariDataSource pool, int threads, double seconds, Stats stats)
            throws InterruptedException {
        if (seconds <= 0) {
            return 0;
        }
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    try {
                        oneCommand(pool);
                        stats.success("commit", System.nanoTime() - t0);
                    } catch (SQLException e) {
                        stats.failure("sqlstate:" + e.getSQLState(), e.getMessage());
                    }
                }
            }, "raw-jdbc-" + i);
            t.start();
            workers.add(t);
        }
        for (Thread t : workers) {
            t.join();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static final AtomicLong SEQ = new AtomicLong();

    private static void oneCommand(HikariDataSource pool) throws SQLException {
        long n = SEQ.incrementAndGet();
        String id = uuid7().toString();
        String name = "Bench User " + n;
        String email = "bench-raw-" + n + "@example.com";
        UUID commandId = uuid7();
        UUID eventId = uuid7();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        try (Connection c = pool.getConnection()) {
            try {
                try (PreparedStatement s = c.prepareStatement(INSERT_CUSTOMER)) {
                    s.setString(1, id);
                    s.setString(2, name);
                    s.setString(3, email);
                    s.setInt(4, 1);
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement(INSERT_EVENT)) {
                    s.setObject(1, eventId);
                    s.setString(2, "customer");
                    s.setString(3, id);
                    s.setInt(4, 1);
                    s.setString(5, "customer.created");
                    s.setInt(6, 1);
                    s.setString(7, "customers");
                    s.setObject(8, commandId);
                    s.setString(9, envelope(eventId, id, name, email, now));
                    s.setObject(10, now);
                    s.setObject(11, null, java.sql.Types.TIMESTAMP);
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement(INSERT_COMMAND)) {
                    s.setObject(1, commandId);
                    s.setString(2, "customer.create");
                    s.setString(3, "customer");
                    s.setString(4, id);
                    s.setObject(5, eventId);
                    s.setString(6, null);
                    s.setString(7, null);
                    s.setInt(8, 201);
                    s.setString(9, "/api/customers/" + id);
                    s.executeUpdate();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** A CloudEvents-shaped JSON text of about 600 bytes, like the envelopes Herald stores. */
    static String envelope(UUID eventId, String id, String name, String email, OffsetDateTime time) {
        StringBuilder b = new StringBuilder(640);
        b.append("{\"specversion\":\"1.0\",\"id\":\"").append(eventId)
                .append("\",\"source\":\"/herald\",\"type\":\"customer.created\",\"datacontenttype\":\"application/json\"")
                .append(",\"dataschema\":\"urn:herald:schema:customer.created:v1\",\"subject\":\"").append(id)
                .append("\",\"time\":\"").append(time).append("\",\"partitionkey\":\"").append(id)
                .append("\",\"aggregatetype\":\"customer\",\"aggregateversion\":1,\"data\":{\"customer_id\":\"")
                .append(id).append("\",\"full_name\":\"").append(name).append("\",\"email\":\"").append(email)
                .append("\",\"note\":\"");
        while (b.length() < 597) {
            b.append('x');
        }
        return b.append("\"}}").toString();
    }

    /** Time-ordered UUID (version 7), like Herald's ids, so index locality is comparable. */
    static UUID uuid7() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long ms = System.currentTimeMillis();
        long msb = (ms << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
