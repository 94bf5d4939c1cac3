package dev.herald.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.http.HeraldStep;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.camel.Component;
import org.apache.camel.Exchange;

/**
 * {@code herald:fold?deletedBy=*.deleted&snapshotEvery=100}: an aggregate's state from its events, the default fold
 * of the {@code state-at} template. The body is the events a {@code sql:} step selected, in version order, one row
 * each with {@code type} (the event type), {@code data} (its JSON) and any other columns ({@code version},
 * {@code as_of}). Each event's {@code data} is merged over the state before it, field by field (a shallow merge:
 * a field the event leaves out keeps its value, a field it names, objects included, is replaced); an event whose
 * type matches {@code deletedBy} ends the aggregate (an event after it starts a new one). The answer is the state
 * with the last event's other columns added, for {@code herald:answer?single=true}, or no row when the aggregate
 * does not exist after the last event (or there was none): 404.
 * <p>
 * Snapshots (V14 state_snapshots, docs/events.md "Snapshots"): a first row of type {@value #SNAPSHOT} is the state
 * after its version (its {@code data}; null when the aggregate did not exist then), and the fold goes on from it.
 * With {@code snapshotEvery} N above 0, the state after each version that is a multiple of N is handed on in the
 * {@value #TAKEN} exchange property (a JSON array of {@code {"version", "state"}}) for the route to store; how far
 * the read folded goes in the {@value #FOLDED} and {@value #FROM} exchange properties (properties, not headers: a
 * client's query string cannot set them), and in the meters
 * {@code herald.state.snapshot.hits}, {@code herald.state.snapshot.misses} and {@code herald.state.events.folded}.
 */
public final class FoldEndpoint extends HeraldStep {

    /** The type column of the row that carries a snapshot rather than an event. */
    public static final String SNAPSHOT = "(snapshot)";
    /** Exchange property: the snapshots this fold took, a JSON array, absent when none. */
    public static final String TAKEN = "snapshots";
    /** Exchange property: how many events were folded (past the snapshot, if one was read). */
    public static final String FOLDED = "heraldEventsFolded";
    /** Exchange property: the version of the snapshot the fold started from, 0 when it started from version 1. */
    public static final String FROM = "heraldSnapshotVersion";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Predicate<String> deleted = matching("*.deleted");
    private int snapshotEvery;

    /** What a fold gave: the state (null: none), where it started and the snapshots it took. */
    record Folded(ObjectNode state, int from, int eventsFolded, ArrayNode taken) {
    }

    public FoldEndpoint(String uri, Component component) {
        super(uri, component, "fold");
    }

    @Override
    protected void apply(Exchange exchange) {
        Object body = exchange.getIn().getBody();
        List<Map<?, ?>> events = new ArrayList<>();
        if (body instanceof Collection<?> rows) {
            rows.forEach(row -> events.add((Map<?, ?>) row));
        } else if (body instanceof Map<?, ?> row) {
            events.add(row);
        }
        Folded folded = fold(events, deleted, snapshotEvery);
        exchange.getIn().setBody(folded.state() == null ? JSON.createArrayNode() : folded.state());
        exchange.setProperty(FOLDED, folded.eventsFolded());
        exchange.setProperty(FROM, folded.from());
        if (folded.taken().isEmpty()) {
            exchange.removeProperty(TAKEN);
        } else {
            exchange.setProperty(TAKEN, folded.taken().toString());
        }
        MeterRegistry meters = exchange.getContext().getRegistry().lookupByNameAndType("meterRegistry",
                MeterRegistry.class);
        if (meters != null) {
            meters.counter(folded.from() > 0 ? "herald.state.snapshot.hits" : "herald.state.snapshot.misses")
                    .increment();
            Counter.builder("herald.state.events.folded").description("events ?as_of= reads folded")
                    .register(meters).increment(folded.eventsFolded());
        }
    }

    /** The fold rule: the state after these events (version order), or null when the aggregate does not exist. */
    static ObjectNode fold(List<? extends Map<?, ?>> events, Predicate<String> deleted) {
        return fold(events, deleted, 0).state();
    }

    /** The fold rule, from a snapshot row if the first is one, taking the state after every multiple of {@code every}. */
    static Folded fold(List<? extends Map<?, ?>> events, Predicate<String> deleted, int every) {
        ObjectNode state = null;
        int from = 0;
        int folded = 0;
        ArrayNode taken = JSON.createArrayNode();
        for (Map<?, ?> event : events) {
            String type = String.valueOf(event.get("type"));
            if (type.equals(SNAPSHOT)) {
                state = event.get("data") instanceof ObjectNode snapshot ? snapshot.deepCopy() : null;
                from = version(event);
                continue;
            }
            folded++;
            if (deleted.test(type)) {
                state = null;
            } else {
                if (state == null) {
                    state = JSON.createObjectNode();
                }
                if (event.get("data") instanceof JsonNode data && data.isObject()) {
                    state.setAll((ObjectNode) data);
                }
            }
            int version = version(event);
            if (every > 0 && version > from && version % every == 0) {
                ObjectNode snapshot = taken.addObject().put("version", version);
                snapshot.set("state", state == null ? null : state.deepCopy());
            }
        }
        if (state != null) {
            for (Map.Entry<?, ?> column : events.get(events.size() - 1).entrySet()) {
                String name = String.valueOf(column.getKey());
                if (!name.equals("type") && !name.equals("data")) {
                    state.set(name, JSON.valueToTree(column.getValue()));
                }
            }
        }
        return new Folded(state, from, folded, taken);
    }

    private static int version(Map<?, ?> event) {
        return event.get("version") instanceof Number number ? number.intValue() : 0;
    }

    /** Event types as comma-separated patterns, {@code *} standing for any characters: {@code *.deleted}. */
    static Predicate<String> matching(String patterns) {
        List<Pattern> compiled = new ArrayList<>();
        for (String pattern : patterns.trim().split("\\s*,\\s*")) {
            List<String> literals = new ArrayList<>();
            for (String literal : pattern.split("\\*", -1)) {
                literals.add(Pattern.quote(literal));
            }
            compiled.add(Pattern.compile(String.join(".*", literals)));
        }
        return type -> compiled.stream().anyMatch(pattern -> pattern.matcher(type).matches());
    }

    public void setDeletedBy(String patterns) {
        this.deleted = matching(patterns);
    }

    /** Versions between the snapshots the fold takes; 0: none. */
    public void setSnapshotEvery(int snapshotEvery) {
        this.snapshotEvery = snapshotEvery;
    }
}
