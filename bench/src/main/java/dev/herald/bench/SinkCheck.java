package dev.herald.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One sink's invariants (Kafka, a RabbitMQ queue, a webhook receiver), checked against the event table: every
 * event arrives, again only as a same-id redelivery, nothing arrives that the database lacks (a refused
 * command's event included, as the checker proved none of those is in the database), and each aggregate's
 * versions are first seen in order.
 */
final class SinkCheck {

    /** An event as the database has it. */
    record Event(String aggregate, int version) {
    }

    private final String sink;
    private final Map<String, Event> events;
    private final List<String> violations;
    private final Set<String> seen = new HashSet<>();
    private final Map<String, Integer> highest = new HashMap<>();
    private long received;
    private long phantoms;

    SinkCheck(String sink, Map<String, Event> events, List<String> violations) {
        this.sink = sink;
        this.events = events;
        this.violations = violations;
    }

    /** One arrival of event {@code id}, in the order the sink received them. */
    void receive(String id) {
        received++;
        Event event = events.get(id);
        if (event == null) {
            phantoms++;
            violations.add(sink + ": phantom event " + id + " (not in the database)");
        } else if (seen.add(id)) {
            int previous = highest.getOrDefault(event.aggregate(), 0);
            if (event.version() != previous + 1) {
                violations.add(sink + ": order, " + event.aggregate() + " version " + event.version() + " after "
                        + previous);
            }
            highest.put(event.aggregate(), event.version());
        }
    }

    boolean complete() {
        return seen.size() == events.size();
    }

    /** Counts every event never seen as lost; puts this sink's figures under its name. */
    void finish(ObjectNode figures) {
        events.keySet().stream().filter(id -> !seen.contains(id))
                .forEach(id -> violations.add(sink + ": lost, event " + id + " never arrived"));
        figures.putObject(sink).put("received", received).put("distinct", seen.size())
                .put("redeliveries", received - seen.size() - phantoms).put("missing", events.size() - seen.size());
    }
}
