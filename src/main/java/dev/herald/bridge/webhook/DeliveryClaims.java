package dev.herald.bridge.webhook;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The dispatcher's claims on due deliveries ({@code FOR UPDATE SKIP LOCKED}, so hub instances share the table):
 * each claim is leased for herald.webhooks.lease, counts as an attempt, and holds its aggregate's line.
 */
final class DeliveryClaims {

    /**
     * Per enabled endpoint, its due deliveries that head their aggregate's line, oldest first, as many as its
     * lane leaves room for (arrays: endpoints with deliveries held, and how many).
     */
    private static final String CLAIM = """
            WITH picked AS (
                SELECT due.id, e.id AS endpoint_id FROM webhook_endpoints e
                  LEFT JOIN unnest(?, ?) AS busy(endpoint_id, in_flight) ON busy.endpoint_id = e.id
                 CROSS JOIN LATERAL (
                    SELECT d.id FROM webhook_deliveries d
                     WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= now()
                       AND (d.claimed_until IS NULL OR d.claimed_until < now())
                       -- strict order: an earlier delivery of the same aggregate to this endpoint goes first
                       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                                        WHERE p.endpoint_id = d.endpoint_id AND p.status = 'pending'
                                          AND p.aggregate_type = d.aggregate_type AND p.aggregate_id = d.aggregate_id
                                          AND p.aggregate_version < d.aggregate_version)
                     ORDER BY d.next_attempt_at, d.id
                     LIMIT greatest(0, ? - coalesce(busy.in_flight, 0))
                       FOR UPDATE OF d SKIP LOCKED) due
                 WHERE e.enabled
                 LIMIT ?)
            UPDATE webhook_deliveries d
               SET claimed_until = now() + make_interval(secs => ?), claimed_by = ?, attempts = d.attempts + 1
              FROM picked JOIN webhook_endpoints e ON e.id = picked.endpoint_id
             WHERE d.id = picked.id AND d.status = 'pending'
               AND (d.claimed_until IS NULL OR d.claimed_until < now())
            RETURNING d.id, d.endpoint_id, d.event_id, d.event_type, d.aggregate_id, d.envelope, d.attempts,
                      e.url, e.format, e.headers, e.rate_limit, e.secret, e.previous_secret, e.previous_secret_until""";

    /** Deliveries claimed, in id order, and the endpoints they go to. */
    record Claim(List<Claimed> deliveries, Map<UUID, Endpoint> endpoints) {
    }

    private final DataSource dataSource;
    private final WebhookSettings settings;

    DeliveryClaims(DataSource dataSource, WebhookSettings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
    }

    /** Claims held by this instance when it stopped are free again (the attempt counted stays counted). */
    void releaseAll() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement release = connection.prepareStatement("""
                        UPDATE webhook_deliveries SET claimed_until = NULL, claimed_by = NULL
                         WHERE claimed_by = ? AND status = 'pending'""")) {
            release.setString(1, settings.claimant());
            release.executeUpdate();
        }
    }

    /**
     * At most {@code room} deliveries; an endpoint's lane holds at most {@code perEndpoint}, {@code held} being
     * what each endpoint's lane holds already.
     */
    Claim claim(Map<UUID, Integer> held, int perEndpoint, int room) throws SQLException {
        List<Claimed> claimed = new ArrayList<>();
        Map<UUID, Endpoint> endpoints = new HashMap<>();
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
                List<UUID> busy = new ArrayList<>(held.keySet());
                claim.setArray(1, connection.createArrayOf("uuid", busy.toArray()));
                claim.setArray(2, connection.createArrayOf("integer", busy.stream().map(held::get).toArray()));
                claim.setInt(3, perEndpoint);
                claim.setInt(4, room);
                claim.setLong(5, settings.lease().toSeconds());
                claim.setString(6, settings.claimant());
                try (ResultSet row = claim.executeQuery()) {
                    while (row.next()) {
                        claimed.add(new Claimed(row.getLong("id"), row.getObject("endpoint_id", UUID.class),
                                row.getObject("event_id", UUID.class), row.getString("event_type"),
                                row.getString("aggregate_id"), row.getString("envelope"), row.getInt("attempts")));
                        endpoints.computeIfAbsent(claimed.get(claimed.size() - 1).endpointId(), id -> Endpoint.of(row));
                    }
                }
            }
        }
        claimed.sort(Comparator.comparingLong(Claimed::id));
        return new Claim(claimed, endpoints);
    }
}
