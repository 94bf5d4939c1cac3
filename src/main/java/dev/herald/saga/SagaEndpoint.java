package dev.herald.saga;

import dev.herald.settings.Kind;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code herald:saga:<type>?steps=payment,inventory&services=payment,inventory}: a route's {@code from:} that hands
 * it each due call of that saga type's instances, up to {@code maxRunning} at once, and takes the decision its
 * answer leads to (see {@link SagaRunner}). {@code steps}: in order, each with an action and a compensation route;
 * {@code services}: the declared services its calls go to; the saga runs only when each has its URL set
 * (herald.services.&lt;name&gt;.url); {@code maxRunning}: how many sagas of this type have a call in flight at once,
 * across the hub instances on one database (default herald.sagas.max-running).
 */
public final class SagaEndpoint extends DefaultEndpoint {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private final String type;
    private final SagaRunners runners;
    private String steps = "";
    private String services = "";
    private Integer maxRunning;

    SagaEndpoint(String uri, Component component, String type, SagaRunners runners) {
        super(uri, component);
        this.type = type;
        this.runners = runners;
    }

    public String type() {
        return type;
    }

    public void setSteps(String steps) {
        this.steps = steps;
    }

    public String getSteps() {
        return steps;
    }

    public void setServices(String services) {
        this.services = services;
    }

    public String getServices() {
        return services;
    }

    public void setMaxRunning(Integer maxRunning) {
        this.maxRunning = maxRunning;
    }

    public Integer getMaxRunning() {
        return maxRunning;
    }

    /** The saga's own limit, else herald.sagas.max-running. */
    public int maxRunning() {
        return maxRunning != null ? maxRunning : runners.settings().maxRunning();
    }

    public List<String> stepList() {
        return Kind.commaSeparated(steps);
    }

    public List<String> serviceList() {
        return Kind.commaSeparated(services);
    }

    /** The services whose URL is not set: while there are any, the saga does not run. */
    public List<String> unsetServices() {
        return serviceList().stream().filter(service -> runners.serviceUrl(service).isEmpty()).toList();
    }

    /**
     * Records when the saga type first ran active, before any of its routes starts: its starting projection skips
     * the events that occurred before (saga-start's SQL joins saga_types).
     */
    public void activate() {
        try {
            runners.store().activate(type);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("saga " + type + " could not be recorded as active: " + e.getMessage(), e);
        }
    }

    /** At start: names that are names, at least one step. */
    public void check() {
        for (String name : concat(List.of(type), stepList(), serviceList())) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("herald:saga:" + type + ": '" + name + "' is not a name (lower-case "
                        + "letters, digits, '_' and '-')");
            }
        }
        if (stepList().isEmpty()) {
            throw new IllegalArgumentException("herald:saga:" + type + " needs steps=<its steps, in order>");
        }
        if (maxRunning != null && maxRunning < 1) {
            throw new IllegalArgumentException("herald:saga:" + type + ": maxRunning=" + maxRunning + " must be at "
                    + "least 1 (sagas of this type with a call in flight at once)");
        }
        if (stepList().contains("completed") || stepList().contains("compensated")) {
            throw new IllegalArgumentException("herald:saga:" + type + ": completed and compensated name the final "
                    + "commands, not steps");
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("herald:saga:" + type + " is a route's from:, not a step");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        SagaRunner runner = new SagaRunner(this, processor, runners);
        configureConsumer(runner);
        return runner;
    }
}
