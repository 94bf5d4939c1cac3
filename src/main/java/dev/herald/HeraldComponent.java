package dev.herald;

import dev.herald.intake.Admission;
import dev.herald.intake.CommandEndpoint;
import dev.herald.projection.ProjectionEndpoint;
import dev.herald.projection.Projectors;
import dev.herald.query.AnswerEndpoint;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * Herald's own steps as a Camel component, so a route places them like any other endpoint and a misspelt option
 * fails the start, naming it. {@code herald:command?aggregate=..&event=..} turns a validated request into a
 * command (see {@link CommandEndpoint}); {@code herald:answer} answers a read's rows (see {@link AnswerEndpoint});
 * {@code from: herald:projection:<name>?types=..} feeds a projection's route the event store in commit order (see
 * {@link ProjectionEndpoint}).
 */
final class HeraldComponent extends DefaultComponent {

    private static final String PROJECTION = "projection:";

    private final Admission admission;
    private final Projectors projectors;

    /** Without projections (route-level tests of commands and reads). */
    HeraldComponent(Admission admission) {
        this(admission, null);
    }

    HeraldComponent(Admission admission, Projectors projectors) {
        this.admission = admission;
        this.projectors = projectors;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining.startsWith(PROJECTION) && projectors != null) {
            ProjectionEndpoint endpoint = projectors.endpoint(uri, this, remaining.substring(PROJECTION.length()));
            setProperties(endpoint, parameters);
            endpoint.check();
            return endpoint;
        }
        switch (remaining) {
            case "command" -> {
                CommandEndpoint endpoint = new CommandEndpoint(uri, this, admission);
                setProperties(endpoint, parameters);
                endpoint.check();
                return endpoint;
            }
            case "answer" -> {
                AnswerEndpoint endpoint = new AnswerEndpoint(uri, this);
                setProperties(endpoint, parameters);
                return endpoint;
            }
            default -> throw new IllegalArgumentException("unknown Herald step herald:" + remaining
                    + " (known: herald:command, herald:answer, herald:projection:<name>)");
        }
    }
}
