package dev.herald;

import dev.herald.intake.RouteChecks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's route reload, one changed {@code *.camel.yaml} file at a time, with two differences. Templated routes
 * are reloaded too (Camel's reload adds only plain routes). And a file is checked before it replaces anything: one
 * that does not parse, or whose routes fail the start-up checks (SQL parameters, herald:command options, schema
 * files: {@link RouteChecks}), touches nothing; one whose routes still fail as Camel adds and starts them is rolled
 * back, its previous routes added again.
 * The refusal is thrown, so Camel's watcher logs it with the file and counts it (failed counter, last error).
 */
final class RouteReload extends RouteWatcherReloadStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(RouteReload.class);
    private static final String PATTERN = "*.camel.yaml";

    // the route ids each file declared: a templated route does not remember its file
    private final Map<Path, Set<String>> declared = new ConcurrentHashMap<>();

    // shared with the schema watcher: both read routes with their template parameters set on the properties
    private final Object oneChangeAtATime;

    RouteReload(String directory, Object oneChangeAtATime) {
        super(directory, false);
        this.oneChangeAtATime = oneChangeAtATime;
        setPattern(PATTERN);
    }

    @Override
    protected void doStart() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(getFolder()))) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).toList()) {
                declared.put(file.toAbsolutePath().normalize(), ids(parse(resourceOf(file))));
            }
        }
        super.doStart();
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        for (Resource resource : resources == null ? List.<Resource>of() : resources) {
            try {
                replace(resource);
            } catch (Exception e) {
                throw RuntimeCamelException.wrapRuntimeException(e);
            }
        }
    }

    private void replace(Resource resource) throws Exception {
        Path file = Path.of(resource.getURI()).toAbsolutePath().normalize();
        // an editor's truncate-then-write shows an empty file first; a deleted one may be a save in progress
        if (!Files.exists(file) || Files.size(file) == 0) {
            if (!declared.getOrDefault(file, Set.of()).isEmpty()) {
                LOG.info("Live reload: {} is gone or empty; its routes keep serving until it is written or the hub "
                        + "restarts", file);
            }
            return;
        }
        RouteBuilder next;
        try {
            next = parse(resource);
        } catch (Exception unreadable) {
            throw new IllegalArgumentException("refused " + file + ", nothing replaced: " + reason(unreadable),
                    unreadable);
        }
        synchronized (oneChangeAtATime) {
            swap(file, next, getCamelContext().getCamelContextExtension().getContextPlugin(Model.class));
        }
    }

    private void swap(Path file, RouteBuilder next, Model model) throws Exception {
        try {
            for (RouteDefinition route : DeclaredRoutes.of(next, model)) {
                RouteChecks.check(getCamelContext(), route);
            }
        } catch (Exception refused) {
            throw new IllegalArgumentException("refused " + file + ", nothing replaced: " + reason(refused), refused);
        }
        Set<String> before = declared.getOrDefault(file, Set.of());
        List<RouteDefinition> previous = new ArrayList<>(model.getRouteDefinitions()).stream()
                .filter(route -> before.contains(route.getRouteId()) || file.equals(fileOf(route))).toList();
        for (RouteDefinition route : previous) {
            model.removeRouteDefinition(route);
        }
        Set<RouteDefinition> others = Collections.newSetFromMap(new IdentityHashMap<>());
        others.addAll(model.getRouteDefinitions());
        try {
            model.addRouteDefinitions(next.getRouteCollection().getRoutes());
            for (TemplatedRouteDefinition templated : next.getTemplatedRouteCollection().getTemplatedRoutes()) {
                model.addRouteFromTemplatedRoute(templated);
            }
        } catch (Exception refused) {
            IllegalArgumentException refusal = new IllegalArgumentException("refused " + file + ", its previous "
                    + "routes " + ids(previous) + " keep serving: " + reason(refused), refused);
            restore(model, others, previous, refusal);
            throw refusal;
        }
        // what later routes are created with: templates, route configurations
        model.addRouteTemplateDefinitions(next.getRouteTemplateCollection().getRouteTemplates());
        if (next instanceof RouteConfigurationsBuilder configurations) {
            configurations.updateRouteConfigurationsToCamelContext(getCamelContext());
        }
        Set<String> now = ids(next);
        declared.put(file, now);
        LOG.info("Live reload: {} reloaded, routes {} (before: {})", file, now, new TreeSet<>(before));
    }

    /** Takes out what the refused file added and adds back what it replaced. */
    private static void restore(Model model, Set<RouteDefinition> others, List<RouteDefinition> previous,
            IllegalArgumentException refusal) {
        try {
            for (RouteDefinition added : new ArrayList<>(model.getRouteDefinitions())) {
                if (!others.contains(added)) {
                    model.removeRouteDefinition(added);
                }
            }
            model.addRouteDefinitions(previous);
        } catch (Exception e) {
            refusal.addSuppressed(e);
            LOG.error("Live reload: the routes {} could not be restored; restart the hub", ids(previous), e);
        }
    }

    /** The file's routes, templates and configurations, not yet added to anything: a YAML error throws here. */
    private RouteBuilder parse(Resource resource) throws Exception {
        Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(getCamelContext())
                .findRoutesBuilders(List.of(resource));
        if (builders.size() != 1 || !(builders.iterator().next() instanceof RouteBuilder builder)) {
            throw new IllegalArgumentException("cannot reload " + resource.getLocation() + ": not one YAML route file");
        }
        builder.configureRoutes(getCamelContext());
        return builder;
    }

    private Resource resourceOf(Path file) {
        return PluginHelper.getResourceLoader(getCamelContext()).resolveResource("file:" + file);
    }

    private static Set<String> ids(RouteBuilder builder) {
        Set<String> ids = new TreeSet<>(ids(builder.getRouteCollection().getRoutes()));
        builder.getTemplatedRouteCollection().getTemplatedRoutes().stream().map(TemplatedRouteDefinition::getRouteId)
                .filter(id -> id != null).forEach(ids::add);
        return ids;
    }

    private static Set<String> ids(List<RouteDefinition> routes) {
        Set<String> ids = new TreeSet<>();
        routes.stream().map(RouteDefinition::getRouteId).filter(id -> id != null).forEach(ids::add);
        return ids;
    }

    /** The failure's message, with its root cause's when that adds the detail (a YAML error's line and column). */
    private static String reason(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String top = failure.getMessage() != null ? failure.getMessage() : failure.toString();
        String detail = root.getMessage() != null ? root.getMessage() : root.toString();
        return root == failure || top.contains(detail) ? top : top + ": " + detail;
    }

    private static Path fileOf(RouteDefinition route) {
        Resource resource = route.getResource();
        return resource == null || !resource.getLocation().startsWith("file:") ? null
                : Path.of(resource.getLocation().substring("file:".length())).toAbsolutePath().normalize();
    }
}
