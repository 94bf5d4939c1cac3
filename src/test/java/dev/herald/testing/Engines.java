package dev.herald.testing;

import dev.herald.embedded.EmbeddedKafka;
import dev.herald.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The engines every test shares, started once per test JVM: PostgreSQL (the server named by
 * HERALD_TEST_DB_URL, else an embedded one), an in-JVM Kafka broker, and, for the tests that ask for it, an
 * AMQP broker (the RabbitMQ named by HERALD_TEST_RABBITMQ_URL, else an embedded one, see {@link AmqpBroker}). Each call to {@link #freshSchema()}
 * gives a hub its own empty schema, so tests never see each other's rows and reruns start clean.
 */
public final class Engines {

    private static Engines shared;

    private final String serverUrl;
    private final String user;
    private final String password;
    private final EmbeddedKafka kafka;
    private final Path root;
    private final java.util.List<String> schemas = new java.util.concurrent.CopyOnWriteArrayList<>();
    private AmqpBroker amqp;

    private Engines() throws IOException {
        root = Files.createTempDirectory("herald-test-engines");
        String external = System.getenv("HERALD_TEST_DB_URL");
        if (external != null && !external.isBlank()) {
            serverUrl = external;
            user = envOr("HERALD_TEST_DB_USER", "postgres");
            password = envOr("HERALD_TEST_DB_PASSWORD", "");
        } else {
            EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(root.resolve("postgres"), 0, false, java.time.Duration.ofMinutes(2));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(postgres)));
            serverUrl = postgres.jdbcUrl();
            user = "postgres";
            password = "";
        }
        if (external != null && !external.isBlank()) {
            // a shared server outlives the run: leave it as we found it
            Runtime.getRuntime().addShutdownHook(new Thread(this::dropSchemas));
        }
        kafka = new EmbeddedKafka(root.resolve("kafka"), 0).durable(false).start();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::stop));
    }

    public static synchronized Engines get() {
        if (shared == null) {
            try {
                shared = new Engines();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    /** The shared AMQP broker, started on first use. */
    public synchronized AmqpBroker amqp() {
        if (amqp == null) {
            amqp = AmqpBroker.start(root.resolve("amqp"));
            Runtime.getRuntime().addShutdownHook(new Thread(amqp::close));
        }
        return amqp;
    }

    public String kafkaBrokers() {
        return kafka.bootstrapServers();
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** A JDBC URL whose default schema is new and empty. */
    public String freshSchema() {
        String schema = "herald_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection = DriverManager.getConnection(serverUrl, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
            schemas.add(schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create schema on " + serverUrl, e);
        }
        return serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    private void dropSchemas() {
        try (Connection connection = DriverManager.getConnection(serverUrl, user, password);
                Statement statement = connection.createStatement()) {
            for (String schema : schemas) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        } catch (SQLException e) {
            System.err.println("could not drop test schemas " + schemas + ": " + e.getMessage());
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // the JVM is exiting
        }
    }
}
