package dev.herald.reaction;

import dev.herald.command.Inbound;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The inbox table (V10): the store writes a row per applied inbound event in the command's transaction; a
 * reaction only asks whether an event is there.
 */
final class Inbox {

    private static final String HOLDS = "SELECT 1 FROM inbox WHERE source = ? AND event_id = ?";

    private final DataSource dataSource;

    Inbox(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    boolean holds(Inbound inbound) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(HOLDS)) {
            statement.setString(1, inbound.source());
            statement.setString(2, inbound.id());
            try (ResultSet row = statement.executeQuery()) {
                return row.next();
            }
        }
    }
}
