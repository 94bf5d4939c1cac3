package dev.herald.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.store.NamedParameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.PolicyDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.support.ResourceHelper;

/**
 * At start (and at a live reload), before any route runs: every {@code :#name} of a command's SQL (the {@code sql:}
 * steps inside its {@code groupCommit} policy) is something the command supplies: a field its JSON Schema declares,
 * a path parameter, or what the store adds. A typo would otherwise bind NULL at every request. Checked where the
 * answer is certain: a schema that closes its top-level fields ({@code additionalProperties: false}, no
 * combinators); {@code :#${...}} expressions and {@code IN} lists are the engineer's own.
 */
public final class SqlParameterCheck {

    static final Set<String> FROM_THE_STORE = Set.of("id", "version", "command_id", "event_id");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SqlParameterCheck() {
    }

    /** Every loaded route, e.g. again after a schema changed under them. */
    public static void check(CamelContext camel) {
        for (RouteDefinition route : camel.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinitions()) {
            check(camel, route);
        }
    }

    /** One route, before Camel creates it (RouteChecks, when live reload takes a changed file). */
    static void check(CamelContext camel, RouteDefinition route) {
        if (!CommandRoutes.commandSteps(route).isEmpty()) {
            DeclaredRoute.read(camel, route, resolve -> {
                checkRoute(camel, route, resolve);
                return null;
            });
        }
    }

    private static void checkRoute(CamelContext camel, RouteDefinition route, Function<String, String> resolve) {
        Optional<String> schema = ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), ToDefinition.class)
                .stream().map(ToDefinition::getEndpointUri).filter(uri -> uri.startsWith("json-validator:"))
                .map(uri -> resolve.apply(uri).substring("json-validator:".length()).split("\\?", 2)[0]).findFirst();
        Optional<Set<String>> fields = schema.flatMap(file -> closedFields(camel, file));
        if (fields.isEmpty()) {
            return;
        }
        Set<String> supplied = new HashSet<>(FROM_THE_STORE);
        supplied.addAll(fields.get());
        supplied.addAll(CommandEndpoint.pathParameters(resolve.apply(route.getInput().getEndpointUri())));
        for (PolicyDefinition policy : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                PolicyDefinition.class)) {
            for (ToDefinition to : ProcessorDefinitionHelper.filterTypeInOutputs(policy.getOutputs(), ToDefinition.class)) {
                String uri = to.getEndpointUri();
                for (String name : uri.startsWith("sql:") ? NamedParameters.names(resolve.apply(uri)) : List.<String>of()) {
                    if (!supplied.contains(name)) {
                        throw new IllegalArgumentException("SQL parameter :#" + name + " is supplied by "
                                + "nothing: not a field of " + schema.get() + ", not a path parameter, not one of "
                                + new java.util.TreeSet<>(FROM_THE_STORE));
                    }
                }
            }
        }
    }

    /** The top-level fields a closed schema allows; empty when the schema leaves the body open. */
    private static Optional<Set<String>> closedFields(CamelContext camel, String file) {
        try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(camel, file)) {
            JsonNode schema = JSON.readTree(in);
            boolean closed = schema.path("additionalProperties").isBoolean()
                    && !schema.path("additionalProperties").booleanValue()
                    && !schema.has("allOf") && !schema.has("anyOf") && !schema.has("oneOf") && !schema.has("$ref");
            if (!closed) {
                return Optional.empty();
            }
            Set<String> fields = new HashSet<>();
            schema.path("properties").fieldNames().forEachRemaining(fields::add);
            return Optional.of(fields);
        } catch (IOException e) {
            throw new UncheckedIOException("JSON Schema " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
