package dev.herald;

import dev.herald.apidoc.ApiDocumentEndpoint;
import dev.herald.apidoc.ApiDocuments;
import dev.herald.cdc.ChangeEndpoint;
import dev.herald.intake.Admission;
import dev.herald.intake.CommandEndpoint;
import dev.herald.intake.SubmitEndpoint;
import dev.herald.projection.ProjectionEndpoint;
import dev.herald.projection.Projectors;
import dev.herald.query.AnswerEndpoint;
import dev.herald.query.FoldEndpoint;
import dev.herald.query.ParametersEndpoint;
import dev.herald.query.UpcastEndpoint;
import dev.herald.reaction.ApplyEndpoint;
import dev.herald.reaction.InboundEndpoint;
import dev.herald.reaction.ReactionSteps;
import dev.herald.saga.RequestEndpoint;
import dev.herald.saga.SagaEndpoint;
import dev.herald.saga.SagaRunners;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * Herald's own steps as a Camel component, so a route places them like any other endpoint and a misspelt option
 * fails the start, naming it. {@code herald:command?aggregate=..&event=..} turns a validated request into a
 * command (see {@link CommandEndpoint}); {@code herald:answer} answers a read's rows (see {@link AnswerEndpoint});
 * {@code herald:parameters} checks a read's query parameters ({@link ParametersEndpoint}); {@code herald:fold} folds
 * an aggregate's events into its state ({@link FoldEndpoint}), after {@code herald:upcast} brought each to the
 * newest shape of its type ({@link UpcastEndpoint}).
 * {@code herald:openapi} and {@code herald:asyncapi} answer the documents of the hub's declarations
 * ({@link ApiDocumentEndpoint}).
 * {@code from: herald:projection:<name>?types=..} feeds a projection's route the event store in commit order (see
 * {@link ProjectionEndpoint}). A reaction's steps: {@code herald:inbound} reads another service's CloudEvent
 * ({@link InboundEndpoint}), {@code herald:apply?command=..} applies it through a command's route ({@link ApplyEndpoint}).
 * {@code from: herald:saga:<type>?steps=..} runs a saga's calls, and
 * {@code herald:saga-request} prepares one for its {@code http:} step (see {@link SagaEndpoint}, {@link RequestEndpoint}).
 * {@code herald:submit?command=..} applies a request the hub makes itself through a command's route, in-process
 * ({@link SubmitEndpoint}).
 * {@code herald:change?source=..} makes a row change a CDC source captured into a command ({@link ChangeEndpoint}).
 */
final class HeraldComponent extends DefaultComponent {

    private static final String PROJECTION = "projection:";
    private static final String SAGA = "saga:";

    private final Admission admission;
    private final Projectors projectors;
    private final ApiDocuments documents;
    private final ReactionSteps reactions;
    private final SagaRunners sagas;

    /** Without projections, reactions and sagas (route-level tests of commands and reads). */
    HeraldComponent(Admission admission) {
        this(admission, null, null, null, null);
    }

    HeraldComponent(Admission admission, Projectors projectors, ApiDocuments documents, ReactionSteps reactions,
            SagaRunners sagas) {
        this.admission = admission;
        this.projectors = projectors;
        this.documents = documents;
        this.reactions = reactions;
        this.sagas = sagas;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining.startsWith(PROJECTION) && projectors != null) {
            ProjectionEndpoint endpoint = configured(projectors.endpoint(uri, this,
                    remaining.substring(PROJECTION.length())), parameters);
            endpoint.check();
            return endpoint;
        }
        if (reactions != null && remaining.equals("inbound")) {
            InboundEndpoint endpoint = configured((InboundEndpoint) reactions.inbound(uri, this), parameters);
            endpoint.check();
            return endpoint;
        }
        if (reactions != null && remaining.equals("apply")) {
            ApplyEndpoint endpoint = configured((ApplyEndpoint) reactions.apply(uri, this), parameters);
            endpoint.check();
            return endpoint;
        }
        if (remaining.startsWith(SAGA) && sagas != null) {
            SagaEndpoint endpoint = configured(sagas.endpoint(uri, this, remaining.substring(SAGA.length())),
                    parameters);
            endpoint.check();
            return endpoint;
        }
        if (remaining.equals("saga-request") && sagas != null) {
            RequestEndpoint endpoint = configured(sagas.request(uri, this), parameters);
            endpoint.check();
            return endpoint;
        }
        return switch (remaining) {
            case "command" -> {
                CommandEndpoint endpoint = configured(new CommandEndpoint(uri, this, admission), parameters);
                endpoint.check();
                yield endpoint;
            }
            case "submit" -> {
                SubmitEndpoint endpoint = configured(new SubmitEndpoint(uri, this), parameters);
                endpoint.check();
                yield endpoint;
            }
            case "change" -> {
                ChangeEndpoint endpoint = configured(new ChangeEndpoint(uri, this), parameters);
                endpoint.check();
                yield endpoint;
            }
            case "answer" -> configured(new AnswerEndpoint(uri, this), parameters);
            case "parameters" -> configured(new ParametersEndpoint(uri, this), parameters);
            case "fold" -> configured(new FoldEndpoint(uri, this), parameters);
            case "upcast" -> configured(new UpcastEndpoint(uri, this), parameters);
            case "openapi", "asyncapi" -> configured(new ApiDocumentEndpoint(uri, this, documents, remaining),
                    parameters);
            default -> throw new IllegalArgumentException("unknown Herald step herald:" + remaining
                    + " (known: herald:command, herald:answer, herald:parameters, herald:fold, herald:upcast, "
                    + "herald:projection:<name>, herald:openapi, herald:asyncapi, herald:inbound, herald:apply, "
                    + "herald:saga:<type>, herald:saga-request, herald:submit, herald:change)");
        };
    }

    private <T extends Endpoint> T configured(T endpoint, Map<String, Object> parameters) throws Exception {
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
