package dev.herald.intake;

import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;

/**
 * The Kafka topics the loaded routes declare: the {@code topic} of every {@code herald:command} step, whether
 * written out or from the {@code command} template. Read from the route model, so it works after the routes
 * are loaded and before Camel creates them (and their bridge consumers, which need this list).
 */
public final class DeclaredTopics {

    private DeclaredTopics() {
    }

    public static Set<String> in(CamelContext camel) {
        Set<String> topics = new TreeSet<>();
        CommandRoutes.forEachDeclared(camel, (route, command) -> topics.add(command.getTopic()));
        return topics;
    }
}
