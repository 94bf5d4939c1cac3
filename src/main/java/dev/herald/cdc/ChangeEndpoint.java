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
            default -> null;
        };
        Map<?, ?> at = in.getHeader(SOURCE, Map.class) == null ? Map.of() : in.getHeader(SOURCE, Map.class);
        Object image = "d".equals(operation) ? in.getHeader(BEFORE) : in.getBody();
        JsonNode data = Rows.isRow(image) ? Rows.json(image) : null;
        JsonNode id = data == null ? null : data.path(idColumn);
        boolean hasId = id != null && id.isValueNode() && !id.isNull() && !id.asText().isEmpty();
        Change change = new Change(source, operation, at.get("lsn"), at.get("schema") + "." + at.get("table"),
                hasId ? id.asText() : null, data, kind == null ? null : eventType(kind));
        // kept before any refusal: a refused change is dead-lettered with its identity and row (cdcRefusals)
        exchange.setProperty(Change.PROPERTY, change);
        if (kind == null) {
            throw new ChangeRefused("source " + source + ": a change without a known operation (" + operation
                    + "); only inserts, updates, deletes and snapshot reads become events");
        }
        if (data == null) {
            throw new ChangeRefused("source " + source + ": the change has no row image"
                    + (image == null ? "" : " (a " + image.getClass().getName() + ")"));
        }
        if (!hasId) {
            throw new ChangeRefused("source " + source + ": the row has no " + idColumn
                    + " (the aggregate id); a delete needs it in the before image (its primary key, or REPLICA "
                    + "IDENTITY FULL)");
        }
        Inbound inbound = new Inbound(source, change.inboxSource(), change.position(), change.type());
        String requestHash = JsonBodies.sha256(inbound.id() + "\n" + JsonBodies.canonical(data));
        exchange.setProperty(Command.PROPERTY, new Command(declaration(kind), EventStore.newId(), change.key(), data,
                null, inbound.idempotencyKey(), requestHash, new HashMap<>(), null, null, inbound));
        exchange.setProperty(DATA_PROPERTY, data);
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

    /** The aggregate type of this source's events. */
    public String getAggregate() {
        return aggregate;
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
