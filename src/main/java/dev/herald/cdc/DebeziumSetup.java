package dev.herald.cdc;

import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.component.debezium.postgres.DebeziumPostgresComponent;
import org.apache.camel.component.debezium.postgres.DebeziumPostgresEndpoint;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;

/**
 * What touches Camel's Debezium component, apart so its classes load only when a source is declared. The connection
 * goes on the component, the one place holding the resolved values (the hub's embedded database has a port known
 * only at start), and every {@code debezium-postgres:} endpoint copies it.
 */
final class DebeziumSetup {

    private DebeziumSetup() {
    }

    static void connect(CamelContext camel, CdcDatabase database) {
        DebeziumPostgresComponent component = camel.getComponent("debezium-postgres", DebeziumPostgresComponent.class);
        PostgresConnectorEmbeddedDebeziumConfiguration configuration = component.getConfiguration();
        if (configuration == null) {
            configuration = new PostgresConnectorEmbeddedDebeziumConfiguration();
            component.setConfiguration(configuration);
        }
        configuration.setDatabaseHostname(database.host());
        configuration.setDatabasePort(database.port());
        configuration.setDatabaseDbname(database.name());
        configuration.setDatabaseUser(database.user());
        // Camel's component refuses an empty password; a server that asks none (the embedded one trusts loopback)
        // ignores what it is given
        configuration.setDatabasePassword(database.password() == null || database.password().isEmpty() ? "none"
                : database.password());
    }

    /** The replication slot of a source's endpoint. */
    static String slotOf(CamelContext camel, String uri) {
        return configuration(camel, uri).getSlotName();
    }

    /** Debezium's offsets file of a source's endpoint. */
    static Path offsetsOf(CamelContext camel, String uri) {
        return Path.of(configuration(camel, uri).getOffsetStorageFileName());
    }

    /** Whether the endpoint snapshots when it finds no offsets (Debezium's modes initial and when_needed). */
    static boolean snapshotsWithoutOffsets(CamelContext camel, String uri) {
        String mode = configuration(camel, uri).getSnapshotMode();
        return mode == null || mode.equalsIgnoreCase("initial") || mode.equalsIgnoreCase("when_needed");
    }

    /** This start only: stream from the slot, no snapshot (see ResumePoint). The route's endpoint is this one. */
    static void streamWithoutSnapshot(CamelContext camel, String uri) {
        configuration(camel, uri).setSnapshotMode("no_data");
    }

    private static PostgresConnectorEmbeddedDebeziumConfiguration configuration(CamelContext camel, String uri) {
        return camel.getEndpoint(uri, DebeziumPostgresEndpoint.class).getConfiguration();
    }
}
