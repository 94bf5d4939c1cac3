package dev.herald.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.sql.SQLException;
import java.util.Map;

/**
 * A command's own steps (the SQL statements of its route, and whatever else the engineer placed there), run by
 * the store inside the lane's transaction once idempotency and version are checked. They answer the event's
 * data: one row (none: the command does not apply to the aggregate's current state).
 */
@FunctionalInterface
public interface StateChange {

    ArrayNode apply(Map<String, Object> parameters) throws SQLException;
}
