package dev.herald.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import dev.herald.command.Command;
import dev.herald.command.CommandDeclaration;
import dev.herald.command.CommandResult;
import dev.herald.command.Inbound;
import dev.herald.command.Publication;
import dev.herald.command.Refusal;
import dev.herald.command.Refusal.Reason;
import dev.herald.contract.EventSchemas;
import dev.herald.event.EventEnvelopes;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The event table is the event store (one row per aggregate version) and the outbox (published or not).
 * Everything here runs on the caller's connection, inside the caller's transaction.
 */
public final class EventStore {

    private static final TimeBasedEpochGenerator UUIDS = Generators.timeBasedEpochGenerator();

    private final EventEnvelopes envelopes;
    private final EventSchemas schemas;
    private final String instanceId;

    /** {@code schemas}: each event's data is checked against its declared version before it is appended. */
    public EventStore(EventEnvelopes envelopes, EventSchemas schemas, String instanceId) {
        this.envelopes = envelopes;
        this.schemas = schemas;
        this.instanceId = instanceId;
    }

    public static UUID newId() {
        return UUIDS.generate();
    }

    /**
     * Applies one command: checks idempotency and version, runs the declaration's SQL, checks the event's data
     * against its schema ({@link dev.herald.contract.EventContractViolation} when it breaks it: the lane fails the
     * command alone and keeps none of its steps' work), appends the event and the command record. {@code lease}
     * keeps the relay away from a sync event while its lane publishes it.
     */
    public Applied apply(Connection connection, Command command, Duration lease, Writes writes)
            throws SQLException {
        CommandDeclaration declaration = command.declaration();
        if (command.idempotencyKey() != null) {
            Optional<Applied> replay = replayOf(connection, command);
            if (replay.isPresent()) {
                return replay.get();
            }
        }
        AggregateState inBatch = writes.states.get(command.aggregateKey());
        AggregateState state = declaration.newAggregate() ? AggregateState.NEW
                : inBatch != null ? inBatch
                : aggregateState(connection, declaration.aggregateType(), command.aggregateId());
        int current = state.version();
        if (!declaration.newAggregate() && !declaration.captured() && current == 0) {
            throw new Refusal(Reason.UNKNOWN_AGGREGATE, declaration.aggregateType() + " " + command.aggregateId()
                    + " does not exist");
        }
        if (command.expectedVersion() != null && command.expectedVersion() != current) {
            throw new Refusal(Reason.VERSION_MISMATCH, "If-Match expects version " + command.expectedVersion()
                    + " but " + declaration.aggregateType() + " " + command.aggregateId() + " is at version " + current,
                    Map.of("currentVersion", current));
        }
        int version = current + 1;
        UUID eventId = newId();
        SqlParameters parameters = new SqlParameters(command.parameters());
        parameters.put("id", command.aggregateId());
        parameters.put("version", version);
        parameters.put("command_id", command.commandId());
        parameters.put("event_id", eventId);
        ArrayNode rows = command.change().apply(parameters);
        if (rows.isEmpty()) {
            throw new Refusal(Reason.STATE_CONFLICT, "command " + declaration.name() + " does not apply to "
                    + declaration.aggregateType() + " " + command.aggregateId() + " in its current state");
        }
        if (rows.size() > 1) {
            throw new IllegalStateException("the steps of command " + declaration.name() + " returned " + rows.size()
                    + " rows; they must return the event's data as one row");
        }
        schemas.check(declaration.eventType(), declaration.eventVersion(), rows.get(0));
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        byte[] envelope = envelopes.serialize(eventId, declaration.eventType(), declaration.eventVersion(),
                declaration.aggregateType(), command.aggregateId(), version, now, rows.get(0), command.traceparent());
        // an aggregate with events still waiting in the outbox queues this one behind them, so the relay
        // publishes them all in version order
        boolean viaOutbox = declaration.outbox() || state.hasWaitingEvents();
        Publication confirmed = viaOutbox ? Publication.PENDING : Publication.PUBLISHED;
        writes.add(connection, eventRow(command, eventId, version, envelope, now, viaOutbox ? null : lease),
                commandRow(command, eventId, confirmed), inboxRow(command));
        writes.states.put(command.aggregateKey(), new AggregateState(version, viaOutbox));
        CommandResult result = new CommandResult(confirmed, command.location(), command.commandId(),
                declaration.aggregateType(), command.aggregateId(), version, eventId, declaration.eventType(),
                declaration.topic(), Publication.PENDING, false);
        return new Applied(result, new OutgoingEvent(eventId, declaration.topic(), command.aggregateId(), envelope,
                command.traceparent()));
    }

    private Optional<Applied> replayOf(Connection connection, Command command) throws SQLException {
        String sql = """
                SELECT c.request_hash, c.response_status, c.location, c.command_id, c.aggregate_type, c.aggregate_id,
                       e.aggregate_version, e.event_id, e.event_type, e.topic,
                       -- still held by this instance's lane after its answer: Kafka committed it, and only the
                       -- asynchronous "published" mark is missing (a failed Kafka commit releases the hold first)
                       e.published_at IS NOT NULL OR (e.claimed_by = ? AND e.claimed_until >= now()) AS published
                  FROM commands c JOIN events e ON e.event_id = c.event_id
                 WHERE c.idempotency_key = ?""";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, instanceId);
            statement.setString(2, command.idempotencyKey());
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                if (!row.getString("request_hash").equals(command.requestHash())) {
                    throw new Refusal(Reason.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key "
                            + command.idempotencyKey() + " was used before with a different request");
                }
                CommandResult result = new CommandResult(confirmedAs(row.getInt("response_status")),
                        row.getString("location"),
                        row.getObject("command_id", UUID.class), row.getString("aggregate_type"),
                        row.getString("aggregate_id"), row.getInt("aggregate_version"),
                        row.getObject("event_id", UUID.class), row.getString("event_type"), row.getString("topic"),
                        row.getBoolean("published") ? Publication.PUBLISHED : Publication.PENDING, true);
                return Optional.of(new Applied(result, null));
            }
        }
    }

    /** An aggregate's version, and whether an event of it waits for the relay (so the next one must too). */
    private record AggregateState(int version, boolean hasWaitingEvents) {
        static final AggregateState NEW = new AggregateState(0, false);
    }

    /**
     * A dead letter that blocks its aggregate (strict order) counts as waiting, so what follows it waits too.
     * Events this instance's lanes hold are on their way (in flight, or published and about to be marked):
     * not waiting. Everything else unpublished waits for the relay, including what the relay holds now.
     */
    private AggregateState aggregateState(Connection connection, String aggregateType, String aggregateId)
            throws SQLException {
        String sql = """
                SELECT coalesce(max(aggregate_version), 0),
                       coalesce(bool_or(published_at IS NULL AND (dead_lettered_at IS NULL OR blocks_aggregate)
                                        AND NOT (claimed_by IS NOT DISTINCT FROM ?
                                                 AND coalesce(claimed_until >= now(), false))), false)
                  FROM events WHERE aggregate_type = ? AND aggregate_id = ?""";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, instanceId);
            statement.setString(2, aggregateType);
            statement.setString(3, aggregateId);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return new AggregateState(row.getInt(1), row.getBoolean(2));
            }
        }
    }

    private static final String INSERT_EVENT = """
            INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, schema_version,
                                topic, command_id, envelope, occurred_at, claimed_until, claimed_by, traceparent)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private static final String INSERT_COMMAND = """
            INSERT INTO commands (command_id, command_type, aggregate_type, aggregate_id, event_id,
                                  idempotency_key, request_hash, response_status, location, trace_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    /** An inbound event is recorded with its command (the first delivery's; a redelivery is a replay above). */
    private static final String INSERT_INBOX = """
            INSERT INTO inbox (source, event_id, event_type, reaction, command_id) VALUES (?, ?, ?, ?, ?)""";

    private static Object[] inboxRow(Command command) {
        Inbound inbound = command.inbound();
        return inbound == null ? null
                : new Object[] {inbound.source(), inbound.id(), inbound.type(), inbound.reaction(), command.commandId()};
    }

    private Object[] eventRow(Command command, UUID eventId, int version, byte[] envelope, OffsetDateTime now,
            Duration lease) {
        CommandDeclaration declaration = command.declaration();
        return new Object[] {eventId, declaration.aggregateType(), command.aggregateId(), version,
            declaration.eventType(), declaration.eventVersion(), declaration.topic(), command.commandId(),
            new String(envelope, StandardCharsets.UTF_8), now,
            lease == null ? null : Timestamp.from(Instant.now().plus(lease)), lease == null ? null : instanceId,
            command.traceparent()};
    }

    /** The trace id of a traceparent that Herald wrote (00-<trace id>-<span id>-<flags>), or null. */
    private static String traceId(String traceparent) {
        return traceparent == null || traceparent.length() < 35 ? null : traceparent.substring(3, 35);
    }

    /** The commands table keeps the first answer's HTTP status (its schema since V1): 201 published, 202 pending. */
    private static int recordedStatus(Publication confirmed) {
        return confirmed == Publication.PUBLISHED ? 201 : 202;
    }

    private static Publication confirmedAs(int recordedStatus) {
        return recordedStatus == 201 ? Publication.PUBLISHED : Publication.PENDING;
    }

    private static Object[] commandRow(Command command, UUID eventId, Publication confirmed) {
        return new Object[] {command.commandId(), command.declaration().name(),
            command.declaration().aggregateType(), command.aggregateId(), eventId, command.idempotencyKey(),
            command.requestHash(), recordedStatus(confirmed), command.location(), traceId(command.traceparent())};
    }

    /**
     * The event and command rows (and inbox rows) of one batch. Deferred: written together at the end in two JDBC batches
     * (the fast path); immediate: written at once (the careful path, one savepoint per command). Also
     * remembers each aggregate's state after the batch's commands so far, since deferred rows are not yet in
     * the table.
     */
    public static final class Writes {

        private final boolean deferred;
        private final Map<String, AggregateState> states = new HashMap<>();
        private final List<Object[]> events = new ArrayList<>();
        private final List<Object[]> commands = new ArrayList<>();
        private final List<Object[]> inbox = new ArrayList<>();

        public Writes(boolean deferred) {
            this.deferred = deferred;
        }

        /** {@code inboxRow}: null unless the command applies an inbound event. */
        void add(Connection connection, Object[] event, Object[] command, Object[] inboxRow) throws SQLException {
            if (deferred) {
                events.add(event);
                commands.add(command);
                if (inboxRow != null) {
                    inbox.add(inboxRow);
                }
            } else {
                execute(connection, INSERT_EVENT, List.<Object[]>of(event));
                execute(connection, INSERT_COMMAND, List.<Object[]>of(command));
                if (inboxRow != null) {
                    execute(connection, INSERT_INBOX, List.<Object[]>of(inboxRow));
                }
            }
        }

        public void flush(Connection connection) throws SQLException {
            execute(connection, INSERT_EVENT, events);
            execute(connection, INSERT_COMMAND, commands);
            execute(connection, INSERT_INBOX, inbox);
            events.clear();
            commands.clear();
            inbox.clear();
        }

        private static void execute(Connection connection, String sql, List<Object[]> rows) throws SQLException {
            if (rows.isEmpty()) {
                return;
            }
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (Object[] row : rows) {
                    for (int i = 0; i < row.length; i++) {
                        statement.setObject(i + 1, row[i]);
                    }
                    statement.addBatch();
                }
                statement.executeBatch();
            }
        }
    }

    /** Which of these commands are in the database (after a commit whose answer was lost). */
    public static Set<UUID> committedCommands(Connection connection, Collection<UUID> commandIds)
            throws SQLException {
        Set<UUID> committed = new HashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT command_id FROM commands WHERE command_id = ANY (?)")) {
            statement.setArray(1, connection.createArrayOf("uuid", commandIds.toArray()));
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    committed.add(row.getObject(1, UUID.class));
                }
            }
        }
        return committed;
    }

    /** A command applied inside the open transaction; {@code event} is null for an idempotent replay. */
    public record Applied(CommandResult result, OutgoingEvent event) {
        public boolean isReplay() {
            return event == null;
        }
    }

    /**
     * What goes to Kafka: the envelope, keyed by aggregate id so one aggregate's events stay in order;
     * {@code traceparent} (or null) becomes the record's header.
     */
    public record OutgoingEvent(UUID eventId, String topic, String key, byte[] envelope, String traceparent) {

        public OutgoingEvent tracedAs(String context) {
            return new OutgoingEvent(eventId, topic, key, envelope, context);
        }
    }

}
