package dev.herald.relay;

import dev.herald.deadletter.DeadLetter;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.store.Outbox;
import dev.herald.store.PendingEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * The relay's stage of the dead-letter store, {@code kafka}, registered like the bridges' stages: the dead letter
 * and the outbox row's mark in one transaction when the relay gives up on an event; an operator's retry puts the
 * event back in the outbox, a discard lets a strict-order aggregate it held back go on.
 */
public final class KafkaDeadLetters implements DeadLetterStore.Redelivery {

    public static final String STAGE = "kafka";

    private final DataSource dataSource;
    private final DeadLetterStore store;
    private final Predicate<String> strictOrder;

    /** {@code strictOrder}: the event types whose dead letter holds the rest of their aggregate back. */
    public KafkaDeadLetters(DataSource dataSource, DeadLetterStore store, Predicate<String> strictOrder) {
        this.dataSource = dataSource;
        this.store = store;
        this.strictOrder = strictOrder;
        store.onRetry(STAGE, this);
    }

    /** Recorded, and the event marked so nothing claims it again; answers whether its aggregate now waits. */
    boolean record(PendingEvent event, Throwable failure, int attempts) throws SQLException {
        boolean blocksAggregate = strictOrder.test(event.eventType());
        DeadLetter letter = DeadLetter.of(STAGE, event.topic(), event.eventId(), event.eventType(),
                event.aggregateId(), event.envelope(), failure, attempts);
        DeadLetterStore.Recorded recorded;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            recorded = store.record(connection, letter);
            Outbox.markDeadLettered(connection, event.eventId(), letter.errorClass() + ": " + letter.failureReason(),
                    blocksAggregate);
            connection.commit();
        }
        recorded.announce();
        return blocksAggregate;
    }

    @Override
    public void redeliver(Connection transaction, UUID eventId, String topic) throws SQLException {
        Outbox.republish(transaction, eventId);
    }

    @Override
    public void discarded(Connection transaction, UUID eventId, String topic) throws SQLException {
        Outbox.unblock(transaction, eventId);
    }
}
