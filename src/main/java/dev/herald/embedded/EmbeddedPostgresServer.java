package dev.herald.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real PostgreSQL server as a child process, its data kept in a directory across restarts. */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static EmbeddedPostgresServer start(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                // the hub stops it after Camel has drained, not at the first signal
                .setRegisterShutdownHook(false)
                // prepared transactions allow the optional two-phase sync mode (docs/guarantees.md)
                .setServerConfig("max_prepared_transactions", "64")
                .setServerConfig("max_connections", "100")
                .start();
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres);
        LOG.info("Embedded PostgreSQL listening on {} (data in {})", server.jdbcUrl(), dataDir.toAbsolutePath());
        return server;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
