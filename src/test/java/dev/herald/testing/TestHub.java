package dev.herald.testing;

import dev.herald.Herald;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;

/** A running hub on real engines, with its own schema and HTTP port, plus what tests need to look inside. */
public final class TestHub implements AutoCloseable {

    /** The webhook secret key of hubs on the shared engines: a hub restarted on a schema must read its secrets. */
    public static final String WEBHOOK_SECRET_KEY = "dGVzdHMtb25seS13ZWJob29rLXNlY3JldC1rZXktMzI=";

    private final Herald herald;
    private final String brokers;
    private final Map<String, String> settings;
    public final HttpApi http;

    private TestHub(Herald herald, Map<String, String> settings, int port) {
        this.herald = herald;
        this.settings = settings;
        this.brokers = settings.get("herald.kafka.brokers");
        this.http = new HttpApi("http://127.0.0.1:" + port);
    }

    /** A hub on the shared engines; {@code settings} override application.properties. */
    public static TestHub start(Map<String, String> settings) {
        Engines engines = Engines.get();
        Map<String, String> all = new HashMap<>();
        all.put("herald.db.url", engines.freshSchema());
        all.put("herald.db.user", engines.user());
        all.put("herald.db.password", engines.password());
        all.put("herald.kafka.brokers", engines.kafkaBrokers());
        // the RabbitMQ bridge runs only in the hubs of the tests that enable it, on the shared AMQP broker
        all.put("herald.rabbitmq.enabled", "false");
        all.put("herald.webhooks.secret-key", WEBHOOK_SECRET_KEY);
        if ("true".equals(settings.get("herald.rabbitmq.enabled"))) {
            all.put("herald.rabbitmq.url", engines.amqp().url());
        }
        all.putAll(settings);
        return startWith(all);
    }

    /** A hub with exactly these settings on top of application.properties (embedded engines where unset). */
    public static TestHub startWith(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        int port = freePort();
        all.put("herald.http.host", "127.0.0.1");
        all.put("herald.http.port", String.valueOf(port));
        all.putIfAbsent("herald.instance.id", "test-" + port);
        all.putIfAbsent("herald.data.dir", tempDir());
        all.putIfAbsent("herald.publish.timeout", "3000");
        // embedded engines on any free port, never 9092 / 5672: tests run beside other hubs and leftovers
        all.putIfAbsent("herald.kafka.embedded-port", "0");
        all.putIfAbsent("herald.rabbitmq.embedded-port", "0");
        // throw-away engines: no fsync per commit (the tests of durability start hubs as processes)
        all.putIfAbsent("herald.embedded.durable", "false");
        // tests send from one address, faster than an anonymous client may; the tests of that limit set it
        all.putIfAbsent("herald.security.anonymous-rate-limit", "0");
        try {
            Herald herald = Herald.start(all);
            return new TestHub(herald, all, port);
        } catch (Exception e) {
            throw new IllegalStateException("hub did not start", e);
        }
    }

    /** A setting this hub was started with, e.g. its herald.db.url to start a second instance on. */
    public org.apache.camel.CamelContext camel() {
        return herald.camelContext();
    }

    public String setting(String key) {
        return settings.get(key);
    }

    public String brokers() {
        return brokers != null ? brokers
                : herald.camelContext().getPropertiesComponent().resolveProperty("herald.kafka.brokers").orElseThrow();
    }

    /** The sum of a metric's samples whose line contains {@code label}, from GET /observe/metrics. */
    public double metricSum(String name, String label) {
        return http.get("/observe/metrics").body().lines()
                .filter(line -> line.startsWith(name) && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** One number from the hub's database, e.g. {@code count("events")}. */
    public long count(String table) {
        return queryLong("SELECT count(*) FROM " + table);
    }

    public long queryLong(String sql, Object... parameters) {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + sql, e);
        }
    }

    /** The hub's Camel context, for tests that look at the routes and endpoints it created. */
    public CamelContext camelContext() {
        return herald.camelContext();
    }

    public DataSource dataSource() {
        return herald.camelContext().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
    }

    @Override
    public void close() {
        herald.close();
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tempDir() {
        try {
            return Files.createTempDirectory("herald-test-data").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
