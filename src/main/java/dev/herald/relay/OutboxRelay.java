package dev.herald.relay;

import dev.herald.event.EventEnvelopes;
import dev.herald.store.EventStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * The Java side of routes/relay.camel.yaml: claims events the outbox holds (outbox-mode commands, sync events
 * whose Kafka commit failed, events left by a crash) and marks them published once Kafka acknowledged.
 *
 * <p>It scans for every unpublished row, never "after the last seq seen", so an event whose transaction
 * committed late is still found. An event is not claimed while an earlier version of its aggregate is held by
 * someone else, and a claimed batch is sent in seq order, so one aggregate's events reach Kafka in version order.
 */
public final class OutboxRelay {

    public static final String EVENT = "herald.relay.event";

    private static final String CLAIM = """
            WITH next AS (
                SELECT e.seq FROM events e
                 WHERE e.published_at IS NULL AND e.dead_lettered_at IS NULL
                   AND (e.claimed_until IS NULL OR e.claimed_until < now())
                   AND NOT EXISTS (
                       SELECT 1 FROM events b
                        WHERE b.aggregate_type = e.aggregate_type AND b.aggregate_id = e.aggregate_id
                          AND b.aggregate_version < e.aggregate_version AND b.published_at IS NULL
                          AND b.dead_lettered_at IS NULL AND b.claimed_until >= now())
                 ORDER BY e.seq
                 LIMIT ?
                   FOR UPDATE SKIP LOCKED)
            UPDATE events SET claimed_until = now() + make_interval(secs => ?), claimed_by = ?
              FROM next WHERE events.seq = next.seq
            RETURNING events.seq, events.event_id, events.event_type, events.topic, events.aggregate_id,
                      events.envelope""";

    private final DataSource dataSource;
    private final int batchSize;
    private final Duration lease;
    private final String claimant;

    public OutboxRelay(DataSource dataSource, int batchSize, Duration lease, String instanceId) {
        this.dataSource = dataSource;
        this.batchSize = batchSize;
        this.lease = lease;
        this.claimant = instanceId + "-relay";
    }

    public List<PendingEvent> claim() throws SQLException {
        List<PendingEvent> claimed = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(CLAIM)) {
            statement.setInt(1, batchSize);
            statement.setLong(2, lease.toSeconds());
            statement.setString(3, claimant);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    claimed.add(new PendingEvent(row.getLong("seq"), row.getObject("event_id", UUID.class),
                            row.getString("event_type"), row.getString("topic"), row.getString("aggregate_id"),
                            row.getString("envelope")));
                }
            }
        }
        claimed.sort(Comparator.comparingLong(PendingEvent::seq));
        return claimed;
    }

    /** Turns one claimed event into the Kafka record: same bytes, key and topic as a sync publish. */
    public void prepare(Exchange exchange) {
        PendingEvent event = exchange.getIn().getBody(PendingEvent.class);
        exchange.setProperty(EVENT, event);
        Message message = exchange.getIn();
        message.removeHeaders("*");
        message.setHeader(KafkaConstants.OVERRIDE_TOPIC, event.topic());
        message.setHeader(KafkaConstants.KEY, event.aggregateId());
        message.setHeader("content-type", EventEnvelopes.CONTENT_TYPE);
        message.setBody(event.envelope().getBytes(StandardCharsets.UTF_8));
    }

    public void published(Exchange exchange) throws SQLException {
        PendingEvent event = exchange.getProperty(EVENT, PendingEvent.class);
        try (Connection connection = dataSource.getConnection()) {
            EventStore.markPublished(connection, Set.of(event.eventId()));
        }
    }

    /** An event waiting in the outbox. */
    public record PendingEvent(long seq, UUID eventId, String eventType, String topic, String aggregateId,
            String envelope) {
    }
}
