package dev.herald.intake;

import dev.herald.observe.OutboxMonitor;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * Herald's own steps as a Camel component, so a route places them like any other endpoint and a misspelt option
 * fails the start, naming it. {@code herald:command?aggregate=..&event=..} turns a validated request into a
 * command (see {@link CommandEndpoint}).
 */
public final class HeraldComponent extends DefaultComponent {

    private final OutboxMonitor monitor;

    public HeraldComponent(OutboxMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!"command".equals(remaining)) {
            throw new IllegalArgumentException("unknown Herald step herald:" + remaining + " (known: herald:command)");
        }
        CommandEndpoint endpoint = new CommandEndpoint(uri, this, monitor);
        setProperties(endpoint, parameters);
        endpoint.check();
        return endpoint;
    }
}
