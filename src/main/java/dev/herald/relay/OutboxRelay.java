package dev.herald.relay;

import dev.herald.deadletter.DeadLetterStore;
import dev.herald.observe.PublishMeters;
import dev.herald.publish.PublishException;
import dev.herald.publish.TransactionalPublisher;
import dev.herald.store.EventStore;
import dev.herald.store.EventStore.OutgoingEvent;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.camel.Exchange;

/**
 * The Java side of routes/relay.camel.yaml: claims the events the outbox holds (outbox-mode commands, sync
 * events whose Kafka commit failed, events left by a crash) and publishes each claimed batch in one Kafka
 * transaction, so a retried batch never shows a read_committed consumer a duplicate.
 *
 * <p>It scans for every unpublished row, never "after the last seq seen", so an event whose transaction
 * committed late is still found. No event is claimed while another event of its aggregate is held by someone
 * else, and a batch is sent in seq order, so one aggregate's events reach Kafka in version order.
 */
public final class OutboxRelay implements AutoCloseable {

    private static final String ATTEMPTS = "herald.relay.attempts";
    /** Tries of the current batch, for the dead letter channel once its retries are spent. */
    public static final String BATCH_ATTEMPTS = "herald.relay.batch-attempts";

    private static final String CLAIM = """
            WITH next AS (
                SELECT e.seq FROM events e
                 WHERE e.published_at IS NULL AND e.dead_lettered_at IS NULL
                   AND (e.claimed_until IS NULL OR e.claimed_until < now())
                   -- skip aggregates someone else is publishing (computed once, as a hashed subplan, from
                   -- the small index of held events: never a scan of the backlog)
                   AND (e.aggregate_type, e.aggregate_id) NOT IN (
                       SELECT h.aggregate_type, h.aggregate_id FROM events h
                        WHERE h.claimed_by IS NOT NULL AND h.published_at IS NULL AND h.dead_lettered_at IS NULL
                          AND h.claimed_until >= now())
                   -- strict order: a dead letter holds back the rest of its aggregate until it is resolved
                   AND NOT EXISTS (SELECT 1 FROM events b WHERE b.blocks_aggregate
                                      AND b.aggregate_type = e.aggregate_type AND b.aggregate_id = e.aggregate_id)
                 ORDER BY e.seq
                 LIMIT ?
                   FOR UPDATE SKIP LOCKED)
            UPDATE events SET claimed_until = now() + make_interval(secs => ?), claimed_by = ?,
                              publish_attempts = publish_attempts + 1
              FROM next WHERE events.seq = next.seq
            RETURNING events.seq, events.event_id, events.event_type, events.topic, events.aggregate_id,
                      events.envelope, events.occurred_at""";

    private final DataSource dataSource;
    private final TransactionalPublisher publisher;
    private final DeadLetterStore deadLetters;
    private final RelaySettings settings;
    private final PublishMeters meters;

    public OutboxRelay(DataSource dataSource, TransactionalPublisher publisher, DeadLetterStore deadLetters,
            RelaySettings settings, PublishMeters meters) {
        this.meters = meters;
        this.dataSource = dataSource;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.settings = settings;
    }

    public List<PendingEvent> claim() throws SQLException {
        List<PendingEvent> claimed = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(CLAIM)) {
            statement.setInt(1, settings.batchSize());
            statement.setLong(2, settings.lease().toSeconds());
            statement.setString(3, settings.claimant());
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    claimed.add(new PendingEvent(row.getLong("seq"), row.getObject("event_id", UUID.class),
                            row.getString("event_type"), row.getString("topic"), row.getString("aggregate_id"),
                            row.getString("envelope"), row.getObject("occurred_at", OffsetDateTime.class)));
                }
            }
        }
        claimed.sort(Comparator.comparingLong(PendingEvent::seq));
        return claimed;
    }

    /**
     * Publishes the claimed batch (the exchange body) and marks it published. Throws to let the route's
     * error handler back off and call again; an event Kafka refuses for good is dead-lettered once it has
     * had {@code herald.relay.max-attempts} retries, and the rest of the batch goes on without it.
     */
    @SuppressWarnings("unchecked")
    public void publish(Exchange exchange) throws PublishException, SQLException {
        List<PendingEvent> batch = exchange.getIn().getBody(List.class);
        Map<UUID, Integer> attempts = exchange.getProperty(ATTEMPTS, Map.class);
        if (attempts == null) {
            attempts = new HashMap<>();
            exchange.setProperty(ATTEMPTS, attempts);
        }
        int batchAttempts = exchange.getProperty(BATCH_ATTEMPTS, 0, Integer.class) + 1;
        exchange.setProperty(BATCH_ATTEMPTS, batchAttempts);
        List<PendingEvent> remaining = batchAttempts == 1 ? new ArrayList<>(batch) : renewLease(batch);
        exchange.getIn().setBody(remaining);
        while (!remaining.isEmpty()) {
            try {
                publisher.send(remaining.stream().map(PendingEvent::outgoing).toList());
                publisher.commit();
                try (Connection connection = dataSource.getConnection()) {
                    EventStore.markPublished(connection, remaining.stream().map(PendingEvent::eventId).toList());
                }
                OffsetDateTime now = OffsetDateTime.now();
                remaining.forEach(event -> meters.published(PublishMeters.RELAY, event.eventType(),
                        Duration.between(event.occurredAt(), now)));
                exchange.getIn().setBody(List.of());
                return;
            } catch (PublishException e) {
                meters.failed(PublishMeters.RELAY, e, e.refused().isEmpty());
                Set<UUID> refused = e.refused().stream().map(OutgoingEvent::eventId).collect(Collectors.toSet());
                List<PendingEvent> givenUp = new ArrayList<>();
                for (PendingEvent event : remaining) {
                    if (refused.contains(event.eventId())
                            && attempts.merge(event.eventId(), 1, Integer::sum) > settings.maxAttempts()) {
                        deadLetters.record(event, e.getCause(), attempts.get(event.eventId()));
                        givenUp.add(event);
                    }
                }
                if (givenUp.isEmpty()) {
                    throw e;
                }
                remaining.removeAll(givenUp);
                exchange.getIn().setBody(remaining);
            }
        }
    }

    /**
     * Before a retry (backoff can outlast the lease): extends the lease on what is still this relay's. An
     * aggregate of which another relay took an event after the lease ran out is left to it entirely, so its
     * events are never published by two relays out of order.
     */
    private List<PendingEvent> renewLease(List<PendingEvent> batch) throws SQLException {
        Set<Long> stillOurs = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement renew = connection.prepareStatement("""
                        UPDATE events SET claimed_until = now() + make_interval(secs => ?)
                         WHERE seq = ANY (?) AND claimed_by = ? AND published_at IS NULL
                        RETURNING seq""")) {
            renew.setLong(1, settings.lease().toSeconds());
            renew.setArray(2, connection.createArrayOf("bigint", batch.stream().map(PendingEvent::seq).toArray()));
            renew.setString(3, settings.claimant());
            try (ResultSet row = renew.executeQuery()) {
                while (row.next()) {
                    stillOurs.add(row.getLong(1));
                }
            }
        }
        Set<String> lost = batch.stream().filter(event -> !stillOurs.contains(event.seq()))
                .map(PendingEvent::aggregateId).collect(Collectors.toSet());
        return new ArrayList<>(batch.stream().filter(event -> !lost.contains(event.aggregateId())).toList());
    }

    @Override
    public void close() {
        publisher.close();
    }

    /** An event waiting in the outbox. */
    public record PendingEvent(long seq, UUID eventId, String eventType, String topic, String aggregateId,
            String envelope, OffsetDateTime occurredAt) {

        OutgoingEvent outgoing() {
            return new OutgoingEvent(eventId, topic, aggregateId, envelope.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The herald.relay.* settings. */
    public record RelaySettings(int batchSize, Duration lease, int maxAttempts, String claimant) {
    }
}
