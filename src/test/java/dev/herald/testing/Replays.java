package dev.herald.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.HttpApi.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** POST /api/replays and what a replay test compares with: events' ids and times from the hub's event table. */
public final class Replays {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private Replays() {
    }

    /** Starts a replay: 202, Location of it, status running; answers the replay. */
    public static JsonNode accepted(TestHub hub, String json) {
        Response created = hub.http.post("/api/replays", json);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        assertThat(created.header("Location")).isEqualTo("/api/replays/" + created.json().get("id").asText());
        assertThat(created.json().get("status").asText()).isEqualTo("running");
        return created.json();
    }

    /** The replay once it completed. */
    public static JsonNode completed(TestHub hub, JsonNode replay) {
        String path = "/api/replays/" + replay.get("id").asText();
        return await().atMost(PATIENCE).until(() -> hub.http.get(path).json(),
                r -> r.get("status").asText().equals("completed"));
    }

    /** When this version of the aggregate occurred, as RFC 3339 (a replay's since or until). */
    public static String occurredAt(TestHub hub, String aggregateId, int version) throws SQLException {
        try (Connection connection = hub.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT occurred_at FROM events WHERE aggregate_id = ? AND aggregate_version = ?")) {
            select.setString(1, aggregateId);
            select.setInt(2, version);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getObject(1, OffsetDateTime.class).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            }
        }
    }

    /** The event ids a query over the events table selects (its first column), in its order. */
    public static List<String> eventIds(TestHub hub, String sql, String... parameters) throws SQLException {
        try (Connection connection = hub.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setString(i + 1, parameters[i]);
            }
            List<String> ids = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        }
    }
}
