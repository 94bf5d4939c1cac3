package dev.herald;

import dev.herald.intake.Admission;
import dev.herald.intake.CommandEndpoint;
import dev.herald.query.AnswerEndpoint;
import dev.herald.query.FoldEndpoint;
import dev.herald.query.ParametersEndpoint;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * Herald's own steps as a Camel component, so a route places them like any other endpoint and a misspelt option
 * fails the start, naming it. {@code herald:command?aggregate=..&event=..} turns a validated request into a
 * command (see {@link CommandEndpoint}); {@code herald:answer} answers a read's rows (see {@link AnswerEndpoint});
 * {@code herald:parameters} checks a read's query parameters ({@link ParametersEndpoint}); {@code herald:fold} folds
 * an aggregate's events into its state ({@link FoldEndpoint}).
 */
final class HeraldComponent extends DefaultComponent {

    private final Admission admission;

    HeraldComponent(Admission admission) {
        this.admission = admission;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        return switch (remaining) {
            case "command" -> {
                CommandEndpoint endpoint = configured(new CommandEndpoint(uri, this, admission), parameters);
                endpoint.check();
                yield endpoint;
            }
            case "answer" -> configured(new AnswerEndpoint(uri, this), parameters);
            case "parameters" -> configured(new ParametersEndpoint(uri, this), parameters);
            case "fold" -> configured(new FoldEndpoint(uri, this), parameters);
            default -> throw new IllegalArgumentException("unknown Herald step herald:" + remaining
                    + " (known: herald:command, herald:answer, herald:parameters, herald:fold)");
        };
    }

    private <T extends Endpoint> T configured(T endpoint, Map<String, Object> parameters) throws Exception {
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
