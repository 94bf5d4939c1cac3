package dev.herald.projection;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code herald:projection:<name>?types=order.created,order.cancelled&tables=customer_order_totals}: a route's
 * {@code from:} that feeds it the event store's events of those types in commit order, each in the transaction that
 * also moves the projection's position (see {@link Projector}). {@code types}: event types, {@code *} matching any
 * characters; {@code tables}: the read tables a rebuild empties (none: the projection cannot be rebuilt);
 * {@code output} and {@code outputKey}: a compacted Kafka topic that gets each read-model row the route changed (the
 * rows its last {@code sql:} step returns), keyed by that column, once its transaction committed (see {@link Outputs}).
 */
public final class ProjectionEndpoint extends DefaultEndpoint {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private final String name;
    private final Projectors projectors;
    private String types;
    private String tables = "";
    private String output = "";
    private String outputKey = "";

    ProjectionEndpoint(String uri, Component component, String name, Projectors projectors) {
        super(uri, component);
        this.name = name;
        this.projectors = projectors;
    }

    public String name() {
        return name;
    }

    public void setTypes(String types) {
        this.types = types;
    }

    public String getTypes() {
        return types;
    }

    public void setTables(String tables) {
        this.tables = tables;
    }

    public String getTables() {
        return tables;
    }

    public void setOutput(String output) {
        this.output = output;
    }

    public String getOutput() {
        return output;
    }

    public void setOutputKey(String outputKey) {
        this.outputKey = outputKey;
    }

    public String getOutputKey() {
        return outputKey;
    }

    List<String> typeList() {
        return split(types);
    }

    List<String> tableList() {
        return split(tables);
    }

    private static List<String> split(String list) {
        return list == null ? List.of() : Arrays.stream(list.split(",")).map(String::strip)
                .filter(item -> !item.isEmpty()).toList();
    }

    /** At start: a name, at least one type, table names that are names; else the start stops, saying which. */
    public void check() {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("herald:projection:" + name + ": a projection's name is lower-case "
                    + "letters, digits, '.', '_' and '-'");
        }
        if (typeList().isEmpty()) {
            throw new IllegalArgumentException("herald:projection:" + name + " needs types=<event types it consumes>");
        }
        if (!output.isBlank() && outputKey.isBlank()) {
            throw new IllegalArgumentException("herald:projection:" + name + " has output=" + output
                    + " but no outputKey=<the column of its changed rows that keys the records>");
        }
        for (String table : tableList()) {
            if (!TABLE.matcher(table).matches()) {
                throw new IllegalArgumentException("herald:projection:" + name + ": tables names '" + table
                        + "', not a table name");
            }
        }
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("herald:projection:" + name + " is a route's from:, not a step");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        Projector projector = new Projector(this, processor, projectors);
        configureConsumer(projector);
        return projector;
    }
}
