package dev.herald.cdc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Where a CDC source starts when Debezium's offsets file is gone while its slot is not. Debezium writes its offsets
 * once the first batch of changes is taken, then every herald.cdc.offset-flush-interval; a hub killed before (a
 * first batch of many changes takes a while) or a data directory lost restarts without them, and
 * snapshot.mode {@code initial} then snapshots again: every row once more as a created event (appended as a new
 * version, its identity being another), and the changes since the slot's position folded into that image instead of
 * coming one by one. The slot still holds every one of those changes (Debezium confirms on it only what its offsets
 * hold). So when the slot exists and the inbox shows the source had streamed (a change that is not a snapshot row:
 * streaming begins only after a complete snapshot), the source streams from the slot without a snapshot, and the
 * inbox recognises the changes already stored. Not covered: a hub killed after its snapshot and before the first
 * streamed change was stored (docs/cdc.md).
 */
final class ResumePoint {

    private static final String SLOT_EXISTS = "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?";
    private static final String HAS_STREAMED = "SELECT 1 FROM inbox WHERE source = ? AND event_id NOT LIKE 'snapshot/%' "
            + "LIMIT 1";

    private ResumePoint() {
    }

    /** True when the source should stream from its slot instead of taking the snapshot its mode asks for. */
    static boolean fromSlot(CdcDatabase database, DataSource events, String source, String slot, Path offsets)
            throws SQLException {
        if (Files.exists(offsets)) {
            return false;
        }
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(),
                database.password())) {
            if (!exists(connection, SLOT_EXISTS, slot)) {
                return false;
            }
        }
        try (Connection connection = events.getConnection()) {
            return exists(connection, HAS_STREAMED, "cdc:" + source);
        }
    }

    private static boolean exists(Connection connection, String sql, String parameter) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet row = statement.executeQuery()) {
                return row.next();
            }
        }
    }
}
