package dev.herald.apidoc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The responses of one operation as its steps add them: successes with their body and headers, and per error
 * status the problem types that status carries ({@code x-problem-types}), rendered as OpenAPI response objects.
 */
final class Responses {

    private final Map<Integer, ObjectNode> answers = new TreeMap<>();
    private final Map<Integer, TreeSet<String>> problems = new TreeMap<>();
    private boolean anyProblem;

    void answer(int status, Supplier<ObjectNode> response) {
        answers.computeIfAbsent(status, s -> response.get());
    }

    boolean hasAnswer() {
        return !answers.isEmpty();
    }

    void problem(int status, String... types) {
        problem(status, java.util.List.of(types));
    }

    void problem(int status, Collection<String> types) {
        problems.computeIfAbsent(status, s -> new TreeSet<>()).addAll(types);
    }

    /** A step whose refusals are not known: any other status may come, as problem+json ({@code default}). */
    void anyProblem() {
        anyProblem = true;
    }

    ObjectNode render(ObjectNode responses) {
        answers.forEach((status, response) -> responses.set(String.valueOf(status), response));
        problems.forEach((status, types) -> {
            ObjectNode response = responses.putObject(String.valueOf(status));
            response.put("description", String.join(", ", types.stream().map(t -> "`" + t + "`").toList()));
            types.forEach(response.withArray("x-problem-types")::add);
            if (status == 503 || status == 429) {
                response.putObject("headers").putObject("Retry-After").put("$ref", "#/components/headers/RetryAfter");
            } else if (status == 401) {
                response.putObject("headers").putObject("WWW-Authenticate")
                        .put("$ref", "#/components/headers/WWWAuthenticate");
            }
            problemContent(response);
        });
        if (anyProblem) {
            problemContent(responses.putObject("default").put("description", "a refusal (RFC 9457 problem)"));
        }
        return responses;
    }

    private static void problemContent(ObjectNode response) {
        response.putObject("content").putObject("application/problem+json").putObject("schema")
                .put("$ref", "#/components/schemas/Problem");
    }
}
