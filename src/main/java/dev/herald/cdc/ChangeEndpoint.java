package dev.herald.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.command.Command;
import dev.herald.command.CommandDeclaration;
import dev.herald.command.Inbound;
import dev.herald.command.PublishMode;
import dev.herald.http.HeraldStep;
import dev.herald.http.JsonBodies;
import dev.herald.store.EventStore;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.Component;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * {@code herald:change?source=..&aggregate=..&prefix=..&idColumn=..&topic=..}: one row change that Camel's
 * {@code debezium-postgres} consumer delivered, made into a Herald command for the {@code groupCommit} policy, so
 * its event takes the path of every command's event (event store, version per aggregate, Kafka or the outbox,
 * bridges, dead letters). Camel has no step that turns a Debezium change into an event of an event store.
 * <ul>
 * <li>type: {@code <prefix>.created} (insert, or a row of the initial snapshot), {@code .updated}, {@code .deleted};</li>
 * <li>aggregate id: the row's {@code idColumn} (the before image's for a delete);</li>
 * <li>data: the row after the change (the before image for a delete: its key columns, all of them under
 * {@code REPLICA IDENTITY FULL}).</li>
 * </ul>
 * Debezium delivers at least once: the change's place in the WAL (LSN, table, row key) is its identity, recorded in
 * the inbox in the event's own transaction, so a redelivery after a restart is a replay and appends nothing.
 */
public final class ChangeEndpoint extends HeraldStep {

    /** The event's data, which the groupCommit policy's steps hand back to the store. */
    public static final String DATA_PROPERTY = "HeraldChangeData";
    static final String OPERATION = "CamelDebeziumOperation";
    static final String BEFORE = "CamelDebeziumBefore";
    static final String SOURCE = "CamelDebeziumSourceMetadata";

    private String source;
    private String aggregate;
    private String prefix;
    private String idColumn;
    private String topic;
    private String mode = "sync";
    private int eventVersion = 1;

    public ChangeEndpoint(String uri, Component component) {
        super(uri, component, "change");
    }

    /** Checked when the route is created. */
    public void check() {
        for (String[] option : new String[][] {{"source", source}, {"aggregate", aggregate}, {"idColumn", idColumn},
            {"topic", topic}}) {
            if (option[1] == null || option[1].isBlank()) {
                throw new IllegalArgumentException("herald:change needs the option " + option[0]);
            }
        }
        PublishMode.of("herald:change", mode);
    }

    @Override
    protected void apply(Exchange exchange) {
        Message in = exchange.getIn();
        String operation = in.getHeader(OPERATION, String.class);
        String kind = switch (operation == null ? "" : operation) {
            case "c", "r" -> "created";
            case "u" -> "updated";
            case "d" -> "deleted";
            default -> throw new IllegalArgumentException("source " + source + ": a change without a known operation ("
                    + operation + "); only inserts, updates, deletes and snapshot reads become events");
        };
        JsonNode data = Rows.json(operation.equals("d") ? in.getHeader(BEFORE) : in.getBody());
        JsonNode id = data.path(idColumn);
        if (!id.isValueNode() || id.isNull() || id.asText().isEmpty()) {
            throw new IllegalArgumentException("source " + source + ": the row has no " + idColumn
                    + " (the aggregate id); a delete needs it in the before image (its primary key, or REPLICA "
                    + "IDENTITY FULL)");
        }
        String aggregateId = id.asText();
        Inbound change = new Inbound(source, "cdc:" + source, position(in.getHeader(SOURCE, Map.class), operation,
                aggregateId), eventType(kind));
        String requestHash = JsonBodies.sha256(change.id() + "\n" + JsonBodies.canonical(data));
        exchange.setProperty(Command.PROPERTY, new Command(declaration(kind), EventStore.newId(), aggregateId, data,
                null, change.idempotencyKey(), requestHash, new HashMap<>(), null, null, change));
        exchange.setProperty(DATA_PROPERTY, data);
    }

    /**
     * Where the change is in the source: its LSN, table and row. A row of the initial snapshot has no LSN of its
     * own, so a snapshot restarted after a crash finds the rows it already delivered by table and row.
     */
    static String position(Map<?, ?> metadata, String operation, String aggregateId) {
        Map<?, ?> at = metadata == null ? Map.of() : metadata;
        String table = at.get("schema") + "." + at.get("table");
        return (operation.equals("r") ? "snapshot" : String.valueOf(at.get("lsn"))) + "/" + table + "/" + aggregateId;
    }

    private String eventType(String kind) {
        return (prefix == null || prefix.isBlank() ? aggregate : prefix) + "." + kind;
    }

    private CommandDeclaration declaration(String kind) {
        return new CommandDeclaration(source + "." + kind, aggregate, eventType(kind), eventVersion, topic,
                "cdc:" + source, false, PublishMode.of("herald:change", mode), true);
    }

    /** The event types this source emits, whose schemas must exist. */
    public String[] eventTypes() {
        return new String[] {eventType("created"), eventType("updated"), eventType("deleted")};
    }

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public void setAggregate(String aggregate) {
        this.aggregate = aggregate;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix;
    }

    public void setIdColumn(String idColumn) {
        this.idColumn = idColumn;
    }

    /** The Kafka topic of this source's events; the bridges consume it like a command's. */
    public String getTopic() {
        return topic;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    public void setMode(String mode) {
        this.mode = mode;
    }

    public int getEventVersion() {
        return eventVersion;
    }

    public void setEventVersion(int eventVersion) {
        this.eventVersion = eventVersion;
    }
}
