package dev.herald.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real PostgreSQL server as a child process, its data kept in a directory across restarts. */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * @param port         0: any free port
     * @param durable      each commit synced to disk before it is acknowledged (zonky's defaults, fsync off and
     *                     synchronous_commit off, suit throw-away test databases, not data a 201 promised to keep)
     * @param startTimeout how long the server may take to start, crash recovery after a kill included
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port, boolean durable, Duration startTimeout)
            throws IOException {
        Files.createDirectories(dataDir);
        LeftoverPostgres.stopIfAny(dataDir);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                // the hub stops it after Camel has drained, not at the first signal
                .setRegisterShutdownHook(false)
                .setPGStartupWait(startTimeout)
                // prepared transactions allow the optional two-phase sync mode (docs/guarantees.md)
                .setServerConfig("max_prepared_transactions", "64")
                .setServerConfig("max_connections", "100")
                // change data capture from the user's tables (docs/cdc.md) reads the WAL through a logical
                // replication slot: the WAL carries what decoding needs, and a slot and a sender per CDC source
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "10")
                .setServerConfig("max_wal_senders", "10")
                // zonky passes -F (fsync off) before these, and a later -c wins
                .setServerConfig("fsync", durable ? "on" : "off")
                .setServerConfig("synchronous_commit", durable ? "on" : "off");
        if (port != 0) {
            builder.setPort(port);
        }
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(builder.start());
        LOG.info("Embedded PostgreSQL listening on {} (data in {}; {})", server.jdbcUrl(), dataDir.toAbsolutePath(),
                durable ? "durable: each commit synced to disk"
                        : "NOT DURABLE (herald.embedded.durable=false): an OS crash may lose acknowledged commands");
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
