package dev.herald.apidoc;

import java.util.List;
import java.util.Map;

/**
 * What the operator steps that are beans answer ({@code bean: {ref, method}} in routes/*.camel.yaml): their success
 * status, the query parameters they read and the problems they raise. A bean's answers cannot be read from its
 * route, so they are written here beside docs/api.md; a bean step not listed is described with a {@code default}
 * problem response (any refusal as problem+json), so a new route still appears, with less detail.
 */
final class OperatorAnswers {

    /**
     * @param problems status -> problem types (after urn:herald:problem:)
     * @param otherStatus another status answered with a body that is not a problem (health: 503 DOWN); 0: none
     */
    record Answer(int status, String summary, List<String> query, Map<Integer, List<String>> problems,
            int otherStatus) {

        Answer(int status, String summary, List<String> query, Map<Integer, List<String>> problems) {
            this(status, summary, query, problems, 0);
        }
    }

    private static final List<String> DEAD_LETTER_FILTERS = List.of("stage", "type", "aggregate", "since", "until");

    private static final Map<String, Answer> BEANS = Map.ofEntries(
            Map.entry("deadLetterApi.list", new Answer(200, "Dead letters, newest filter first: {items, next}",
                    concat(DEAD_LETTER_FILTERS, List.of("status", "after", "limit")),
                    Map.of(400, List.of("invalid-value")))),
            Map.entry("deadLetterApi.get", new Answer(200, "One dead letter", List.of(),
                    Map.of(400, List.of("invalid-value"), 404, List.of("not-found")))),
            Map.entry("deadLetterApi.discard", new Answer(200, "Discard a dead letter (kept on record)", List.of(),
                    Map.of(400, List.of("invalid-value"), 404, List.of("not-found"),
                            409, List.of("already-resolved")))),
            Map.entry("deadLetterApi.retry", new Answer(202, "Give a dead letter back to its stage", List.of(),
                    Map.of(400, List.of("invalid-value"), 404, List.of("not-found"),
                            409, List.of("already-resolved", "not-retriable", "unroutable", "change-refused"),
                            503, List.of("broker-unavailable", "sink-failed", "change-failed")))),
            Map.entry("deadLetterApi.retryMatching", new Answer(202, "Retry every open dead letter that matches: "
                    + "{retried}", DEAD_LETTER_FILTERS, Map.of(400, List.of("invalid-value"),
                            409, List.of("not-retriable", "unroutable", "change-refused"),
                            503, List.of("broker-unavailable", "sink-failed", "change-failed")))),
            Map.entry("projectionApi.list", new Answer(200, "Every declared projection: {items}", List.of(), Map.of())),
            Map.entry("projectionApi.get", new Answer(200, "One projection: status, position, lag", List.of(),
                    Map.of(404, List.of("not-found")))),
            Map.entry("projectionApi.retry", new Answer(202, "Retry the event a failed projection stopped at",
                    List.of(), Map.of(404, List.of("not-found"), 409, List.of("not-failed", "not-retriable")))),
            Map.entry("projectionApi.rebuild", new Answer(202, "Rebuild a projection from the whole event store",
                    List.of(), Map.of(404, List.of("not-found"), 409, List.of("not-rebuildable")))),
            Map.entry("keyApi.create", new Answer(201, "Create an API key: {id, name, scopes, key}, the key shown "
                    + "once", List.of(), Map.of(400, List.of("invalid-scope")))),
            Map.entry("keyApi.revoke", new Answer(204, "Revoke an API key (kept on record)", List.of(),
                    Map.of(400, List.of("invalid-value"), 404, List.of("not-found")))),
            Map.entry("webhookEndpoints.create", new Answer(201, "Register a webhook endpoint: its id and secret "
                    + "(shown once)", List.of(), Map.of(422, webhookRefusals()))),
            Map.entry("webhookEndpoints.patch", new Answer(200, "Change a webhook endpoint", List.of(),
                    Map.of(404, List.of("not-found"), 422, webhookRefusals()))),
            Map.entry("webhookEndpoints.delete", new Answer(204, "Delete a webhook endpoint", List.of(),
                    Map.of(404, List.of("not-found")))),
            Map.entry("webhookEndpoints.rotateSecret", new Answer(200, "Rotate an endpoint's signing secret",
                    List.of(), Map.of(404, List.of("not-found")))),
            Map.entry("webhookRedeliveries.replay", new Answer(202, "Deliver an endpoint's events again since a time",
                    List.of("since"), Map.of(400, List.of("invalid-since"), 404, List.of("not-found")))),
            Map.entry("webhookRedeliveries.retry", new Answer(202, "Deliver one delivery again", List.of(),
                    Map.of(404, List.of("not-found"), 409, List.of("webhook-delivery-gone")))),
            Map.entry("schemaRegistry.list", new Answer(200, "The event schema registry: {types: [{type, "
                    + "compatibility, versions, latest}]}", List.of(), Map.of())),
            Map.entry("schemaRegistry.schema", new Answer(200, "One version of an event type's data schema "
                    + "(application/schema+json)", List.of(), Map.of(404, List.of("not-found")))),
            Map.entry("health.check", new Answer(200, "Readiness: UP when PostgreSQL and Kafka answer; 503 DOWN or "
                    + "DRAINING", List.of(), Map.of(), 503)),
            Map.entry("health.live", new Answer(200, "Liveness: UP while the process answers", List.of(), Map.of())),
            Map.entry("metrics.scrape", new Answer(200, "Prometheus metrics (text)", List.of(), Map.of())));

    private OperatorAnswers() {
    }

    static java.util.Optional<Answer> of(String beanStep) {
        return java.util.Optional.ofNullable(BEANS.get(beanStep));
    }

    private static List<String> webhookRefusals() {
        return List.of("webhook-url-invalid", "webhook-target-refused", "webhook-header-reserved",
                "webhook-handshake-refused");
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
    }
}
