package dev.herald.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.http.HeraldStep;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.camel.Component;
import org.apache.camel.Exchange;

/**
 * {@code herald:fold?deletedBy=*.deleted}: an aggregate's state from its events, the default fold of the
 * {@code state-at} template. The body is the events a {@code sql:} step selected, in version order, one row each
 * with {@code type} (the event type), {@code data} (its JSON) and any other columns ({@code version},
 * {@code as_of}). Each event's {@code data} is merged over the state before it, field by field (a shallow merge:
 * a field the event leaves out keeps its value, a field it names, objects included, is replaced); an event whose
 * type matches {@code deletedBy} ends the aggregate (an event after it starts a new one). The answer is the state
 * with the last event's other columns added, for {@code herald:answer?single=true}, or no row when the aggregate
 * does not exist after the last event (or there was none): 404.
 */
public final class FoldEndpoint extends HeraldStep {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Predicate<String> deleted = matching("*.deleted");

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
        ObjectNode state = fold(events, deleted);
        exchange.getIn().setBody(state == null ? JSON.createArrayNode() : state);
    }

    /** The fold rule: the state after these events (version order), or null when the aggregate does not exist. */
    static ObjectNode fold(List<? extends Map<?, ?>> events, Predicate<String> deleted) {
        ObjectNode state = null;
        for (Map<?, ?> event : events) {
            if (deleted.test(String.valueOf(event.get("type")))) {
                state = null;
                continue;
            }
            if (state == null) {
                state = JSON.createObjectNode();
            }
            if (event.get("data") instanceof JsonNode data && data.isObject()) {
                state.setAll((ObjectNode) data);
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
        return state;
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
}
