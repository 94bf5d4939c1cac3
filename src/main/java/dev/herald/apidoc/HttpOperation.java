package dev.herald.apidoc;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP operation a loaded route serves, read from its declaration: the {@code platform-http} path and method,
 * and its steps with the route's template parameters and settings resolved, those of the {@code direct:} routes it
 * calls included (a query's {@code stateAt} route). What the OpenAPI document says of it follows from these steps.
 *
 * @param guarded whether the route is in the {@code problems} route configuration: API keys checked, every refusal
 *     answered as problem+json
 * @param uris the resolved URIs of its {@code to} steps, in order
 * @param processors the {@code process} refs and {@code bean} ref.method of its steps
 */
record HttpOperation(String routeId, String method, String path, String description, String produces,
        boolean guarded, List<String> uris, List<String> processors) {

    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{(\\w+)}");

    List<String> pathParameters() {
        Matcher matcher = PATH_PARAMETER.matcher(path);
        List<String> names = new java.util.ArrayList<>();
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    boolean has(String processor) {
        return processors.contains(processor);
    }

    /** The first step whose URI starts with {@code prefix}, e.g. {@code herald:command}. */
    Optional<String> step(String prefix) {
        return uris.stream().filter(uri -> uri.startsWith(prefix)).findFirst();
    }

    List<String> steps(String prefix) {
        return uris.stream().filter(uri -> uri.startsWith(prefix)).toList();
    }

    /** The step's option {@code name} ({@code herald:answer?single=true}), if given. */
    static Optional<String> option(String uri, String name) {
        int query = uri.indexOf('?');
        if (query < 0) {
            return Optional.empty();
        }
        for (String pair : uri.substring(query + 1).split("&")) {
            String[] parts = pair.split("=", 2);
            if (parts[0].equals(name) && parts.length == 2) {
                return Optional.of(java.net.URLDecoder.decode(parts[1], java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }
}
