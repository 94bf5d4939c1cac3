package dev.herald.bridge;

import dev.herald.settings.Bridges;
import dev.herald.settings.RabbitMq;
import dev.herald.settings.Setting;
import dev.herald.settings.Settings;
import dev.herald.settings.Webhooks;
import java.util.List;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles which Kafka topics each bridge consumes, after the routes are loaded and before Camel creates them
 * (only then are the declared commands known). The result becomes the bridge's topics setting, which its
 * consumer route reads ({@code kafka:{{herald.rabbitmq.topics}}}); a bridge left with no topic loses that route
 * instead, since a Kafka endpoint needs at least one and an empty hub must still start.
 */
public final class BridgeConsumers {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeConsumers.class);

    private record Bridge(String name, Setting<String> topics, Setting<Boolean> enabled) {
    }

    private static final List<Bridge> BRIDGES = List.of(
            new Bridge("RabbitMQ bridge", RabbitMq.TOPICS, RabbitMq.ENABLED),
            new Bridge("Webhook bridge", Webhooks.TOPICS, Webhooks.ENABLED));

    private BridgeConsumers() {
    }

    /** {@code declared}: the topics of the loaded routes' commands. */
    public static void settle(CamelContext camel, Set<String> declared) throws Exception {
        Settings settings = new Settings(camel.getPropertiesComponent());
        for (Bridge bridge : BRIDGES) {
            BridgeTopics selected = BridgeTopics.select(bridge.topics().key(), settings.get(bridge.topics()),
                    declared, settings.get(Bridges.EXCLUDE_TOPICS));
            if (selected.topics().isEmpty()) {
                List<String> removed = removeConsumers(camel, bridge.topics().key());
                LOG.info("{} has nothing to consume ({}): its consumer route {} is left out", bridge.name(),
                        selected.reason(), removed);
                continue;
            }
            camel.getPropertiesComponent().addOverrideProperty(bridge.topics().key(),
                    String.join(",", selected.topics()));
            if (settings.get(bridge.enabled())) {
                LOG.info("{} consumes {} ({})", bridge.name(), selected.topics(), selected.reason());
            } else {
                LOG.info("{} is off ({}=false); it would consume {} ({})", bridge.name(), bridge.enabled().key(),
                        selected.topics(), selected.reason());
            }
        }
    }

    /** The routes whose from-URI reads the setting, removed before they are created: the ids removed. */
    private static List<String> removeConsumers(CamelContext camel, String topicsSetting) throws Exception {
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        List<RouteDefinition> consumers = model.getRouteDefinitions().stream()
                .filter(route -> route.getInput() != null && route.getInput().getEndpointUri() != null
                        && route.getInput().getEndpointUri().contains("{{" + topicsSetting + "}}"))
                .toList();
        for (RouteDefinition route : consumers) {
            model.removeRouteDefinition(route);
        }
        return consumers.stream().map(RouteDefinition::getRouteId).toList();
    }
}
