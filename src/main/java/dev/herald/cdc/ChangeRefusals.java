package dev.herald.cdc;

import dev.herald.command.Refusal;
import dev.herald.command.Unavailable;
import dev.herald.contract.EventContractViolation;
import dev.herald.deadletter.DeadLetter;
import dev.herald.deadletter.DeadLetterStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter clause of the route configuration {@code cdc-sources} (routes/cdc.camel.yaml), as
 * {@code reactionErrors} is a reaction's: {@code refusedForGood} tells a change that can never become an event
 * (its schema refuses the row, the row has no id, an unknown operation, Kafka refuses the event for good) from one
 * that cannot be stored now (database or Kafka down: retried without limit), {@code deadLetter} writes it to the
 * dead-letter store (stage {@code cdc}, destination the source) before the handled exchange goes back to Debezium,
 * so the change counts as done, the source goes on and its slot advances. Beans, since Camel's dead letter channel
 * writes no dead letter of Herald's shape and cannot tell a refusal from an outage.
 */
public final class ChangeRefusals {

    /** Dead letters of every CDC source have this stage; their destination is the source's name. */
    static final String STAGE = "cdc";
    /** The exchange property marking a run for an operator's retry: any failure is answered at once. */
    static final String OPERATOR_RETRY = "HeraldChangeOperatorRetry";
    /** Where an operator's retry finds why it failed again (no second dead letter is written). */
    static final String FAILED_AGAIN = "HeraldChangeFailedAgain";
    private static final Logger LOG = LoggerFactory.getLogger(ChangeRefusals.class);
    private static final String KNOWN = "SELECT 1 FROM dead_letters WHERE stage = ? AND event_id = ? AND destination = ?";

    private final DataSource dataSource;
    private final DeadLetterStore deadLetters;
    private final ChangeMeters meters;

    public ChangeRefusals(DataSource dataSource, DeadLetterStore deadLetters, ChangeMeters meters) {
        this.dataSource = dataSource;
        this.deadLetters = deadLetters;
        this.meters = meters;
    }

    /** onWhen of the dead-letter clause. */
    public boolean refusedForGood(Exchange exchange) {
        return exchange.getProperty(OPERATOR_RETRY) != null
                || permanent(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
    }

    /**
     * For good: what {@code herald:change} refuses, the event's schema refusing the row (the lane's
     * {@link EventContractViolation}), a {@link Refusal} of the store or of Kafka (the database's only when it refuses
     * the row's data, SQLSTATE class 22). Not now: {@link Unavailable}, any other SQL failure, anything unknown.
     */
    static boolean permanent(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ChangeRefused || cause instanceof EventContractViolation) {
                return true;
            }
            if (cause instanceof Refusal refusal) {
                return refusal.reason() != Refusal.Reason.DATABASE_REFUSED
                        || refusal.getCause() instanceof SQLException sql && sql.getSQLState() != null
                        && sql.getSQLState().startsWith("22");
            }
            if (cause instanceof Unavailable || cause instanceof SQLException) {
                return false;
            }
        }
        return false;
    }

    /**
     * onException step (handled): stage {@code cdc}, destination the source, the event type and aggregate id when
     * known, the change (source, LSN, table, key, row) as originalEvent. A change delivered again after a restart and
     * refused again finds its dead letter there and writes none. An operator's retry that failed again is handed back
     * to {@link ChangeRetries} instead, which answers the operator.
     */
    public void deadLetter(Exchange exchange) throws SQLException {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (exchange.getProperty(OPERATOR_RETRY) != null) {
            exchange.setProperty(FAILED_AGAIN, failure);
            return;
        }
        Change change = exchange.getProperty(Change.PROPERTY, Change.class);
        if (change == null) {
            throw new IllegalStateException("route " + exchange.getFromRouteId() + " refused a change before its "
                    + "herald:change step read it", failure);
        }
        DeadLetter letter = DeadLetter.of(STAGE, change.source(), change.uuid(),
                change.type() == null ? "unknown" : change.type(), change.key() == null ? "" : change.key(),
                change.json(), failure, 1);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            if (known(connection, letter)) {
                connection.rollback();
                LOG.warn("source {}: change {} refused again, its dead letter is there already: {}", change.source(),
                        change.position(), letter.failureReason());
                meters.count(exchange.getFromRouteId(), "repeated");
                return;
            }
            DeadLetterStore.Recorded recorded = deadLetters.record(connection, letter);
            connection.commit();
            recorded.announce();
        }
        meters.count(exchange.getFromRouteId(), "dead-lettered");
    }

    private static boolean known(Connection connection, DeadLetter letter) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(KNOWN)) {
            select.setString(1, letter.stage());
            select.setObject(2, letter.eventId());
            select.setString(3, letter.destination());
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }
}
