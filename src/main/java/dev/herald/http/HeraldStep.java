package dev.herald.http;

import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * A Herald step a route places ({@code to: herald:<name>?...}) in a read or a reaction: a producer only; {@code from:}
 * on it is refused.
 */
public abstract class HeraldStep extends DefaultEndpoint {

    private final String name;

    protected HeraldStep(String uri, Component component, String name) {
        super(uri, component);
        this.name = name;
    }

    /** What the step does to the exchange. */
    protected abstract void apply(Exchange exchange) throws Exception;

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) throws Exception {
                apply(exchange);
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("herald:" + name + " is a step (to:), not a route's start (from:)");
    }
}
