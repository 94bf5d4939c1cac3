package dev.herald.contract.registry;

import dev.herald.contract.EventSchemas;
import dev.herald.contract.EventSchemas.EventType;
import dev.herald.contract.EventSchemas.Version;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of publishing the event schemas to a Confluent-compatible schema registry (routes/schemas.camel.yaml,
 * route {@code schemas.registry}; bean {@code schemaRegistryPublishing}). The route holds the flow: the request
 * list, one {@code http:} call per request in order, Jackson for the bodies, the retries; this class only builds the
 * requests from the hub's {@link EventSchemas} and says what an answer means. Camel's own steps cannot build the list
 * (it is the in-memory registry the hub validated at start, not a file or table a step could read).
 * <p>
 * Per type, in name order: {@code PUT /config/<subject>} with its compatibility (so the registry checks the versions
 * under the type's mode), then {@code POST /subjects/<subject>/versions} for each version in order. The registry
 * answers an already registered schema with its id, so a run after a reload or a restart changes nothing there.
 * A 409 (incompatible, as the registry sees it) or 422 (a schema it cannot take) is refused for good: logged as an
 * ERROR naming subject and version, counted, the subject's later versions left out, never retried in a loop.
 */
public final class RegistryPublishing {

    /** The seda queue the route takes its runs from: one run at a time, at most one more waiting. */
    public static final String RUNS = "seda:herald-schema-registry?size=1&discardWhenFull=true";
    private static final Logger LOG = LoggerFactory.getLogger(RegistryPublishing.class);
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    /** One call to the registry: the type's compatibility ({@code version} 0) or one version's schema. */
    public record Request(String subject, String type, int version, String method, String path,
            Map<String, String> body) {

        boolean isConfig() {
            return version == 0;
        }

        @Override
        public String toString() {
            return isConfig() ? "the compatibility of " + subject : subject + " version " + version;
        }
    }

    private final EventSchemas schemas;
    private final String url;
    private final String subjectTemplate;
    private final String authorization;
    private final AtomicInteger pending = new AtomicInteger();
    private final Counter refusedCount;
    private final Counter unavailableCount;
    // the run in progress (runs are one at a time: the route's seda consumer)
    private volatile List<Request> run = List.of();
    private final Set<String> refusedSubjects = ConcurrentHashMap.newKeySet();
    private final AtomicInteger registered = new AtomicInteger();
    private volatile boolean abandoned;
    private volatile ProducerTemplate trigger;

    /**
     * {@code url} empty: off (every run is empty). {@code subject}: the subject of a type, {@code <type>} standing for
     * it. {@code user} empty: no authentication, else HTTP basic with {@code password}.
     */
    public RegistryPublishing(EventSchemas schemas, String url, String subject, String user, String password,
            MeterRegistry meters) {
        this.schemas = schemas;
        this.url = url.replaceAll("/+$", "");
        this.subjectTemplate = subject;
        this.authorization = user.isEmpty() ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        Gauge.builder("herald.schemas.registry.pending", pending, AtomicInteger::get)
                .description("calls to the schema registry not yet answered in the run in progress").register(meters);
        this.refusedCount = errors("refused", meters);
        this.unavailableCount = errors("unavailable", meters);
    }

    /** reason refused: versions refused for good (409, 422); unavailable: attempts that failed and are retried. */
    private static Counter errors(String reason, MeterRegistry meters) {
        return Counter.builder("herald.schemas.registry.errors").tag("reason", reason)
                .description("schema registry calls refused for good (reason=refused) or failed and retried "
                        + "(reason=unavailable)").register(meters);
    }

    public boolean enabled() {
        return !url.isEmpty();
    }

    public String subjectOf(String type) {
        return subjectTemplate.replace("<type>", type);
    }

    /** Asks for another run (after a schema reload): queued behind the one in progress, if any. */
    public void publishAgain(CamelContext camel) {
        if (!enabled()) {
            return;
        }
        if (trigger == null) {
            trigger = camel.createProducerTemplate();
        }
        trigger.sendBody(RUNS, "reload");
    }

    /** The run's requests, in order (empty when no registry is set); the pending gauge starts at their count. */
    public List<Request> requests() {
        List<Request> requests = new ArrayList<>();
        if (enabled()) {
            for (EventType type : schemas.types().values()) {
                String subject = subjectOf(type.name());
                String encoded = URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
                requests.add(new Request(subject, type.name(), 0, "PUT", "/config/" + encoded,
                        Map.of("compatibility", type.compatibility().name())));
                for (Version version : type.versions().values()) {
                    requests.add(new Request(subject, type.name(), version.number(), "POST",
                            "/subjects/" + encoded + "/versions",
                            Map.of("schemaType", "JSON", "schema", version.document().toString())));
                }
            }
        }
        run = List.copyOf(requests);
        refusedSubjects.clear();
        registered.set(0);
        abandoned = false;
        pending.set(requests.size());
        return run;
    }

    /**
     * False for the versions after one the registry refused (registering them would skip that one), and for every
     * request once the run was abandoned.
     */
    public boolean stillWanted(Exchange exchange) {
        return !abandoned && !refusedSubjects.contains(exchange.getMessage().getBody(Request.class).subject());
    }

    /** The hub stops while the registry is away: the rest of the run is left to the next start. */
    public void abandoned(Exchange exchange) {
        abandoned = true;
        Request request = exchange.getProperty("registryRequest", Request.class);
        LOG.info("Schema registry {}: the hub stops before {} was published ({}); the next start publishes again",
                url, request == null ? "the event schemas" : request,
                String.valueOf(exchange.getProperty(Exchange.EXCEPTION_CAUGHT)));
    }

    /**
     * The call of a request: where it goes in exchange properties (the route's {@code toD}), method and credentials
     * in headers, its JSON body as a map for the route's {@code marshal}.
     */
    public Map<String, String> prepare(Exchange exchange) {
        Request request = exchange.getMessage().getBody(Request.class);
        exchange.setProperty("registryRequest", request);
        exchange.setProperty("registryCall", url + request.path());
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, request.method());
        exchange.getMessage().setHeader("Accept", CONTENT_TYPE);
        if (authorization != null) {
            exchange.getMessage().setHeader("Authorization", authorization);
        }
        return request.body();
    }

    /** The registry took it: {@code {"id": n}} for a schema, {@code {"compatibility": ...}} for a mode. */
    public void accepted(Exchange exchange) {
        Request request = exchange.getProperty("registryRequest", Request.class);
        Object answer = exchange.getMessage().getBody();
        pending.decrementAndGet();
        if (!request.isConfig()) {
            registered.incrementAndGet();
        }
        LOG.debug("Schema registry {}: {} accepted: {}", url, request, answer);
    }

    /** A 409 (incompatible as the registry sees it) or 422 (a schema it cannot take): trying again would not help. */
    public boolean refusedForGood(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return failure instanceof HttpOperationFailedException http
                && (http.getStatusCode() == 409 || http.getStatusCode() == 422);
    }

    /** Logged as an ERROR naming subject and version, counted; the subject's later versions are left out. */
    public void refused(Exchange exchange) {
        Request request = exchange.getProperty("registryRequest", Request.class);
        HttpOperationFailedException failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT,
                HttpOperationFailedException.class);
        refusedCount.increment();
        refusedSubjects.add(request.subject());
        int left = (int) run.stream().filter(r -> r.subject().equals(request.subject())
                && r.version() > request.version()).count();
        pending.addAndGet(-1 - left);
        LOG.error("Schema registry {} refused {}: {} {}{}; not retried (Herald checked it {}: the subject holds "
                + "other schemas, or the registry is set stricter for it)", url, request, failure.getStatusCode(),
                failure.getResponseBody(), left == 0 ? "" : "; its " + left + " later version(s) left out",
                schemas.types().get(request.type()).compatibility().label());
    }

    /** Before each retry of a call that failed (the registry away, 5xx, 401...): a WARN, counted. */
    public void retrying(Exchange exchange) {
        Request request = exchange.getProperty("registryRequest", Request.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String error = failure instanceof HttpOperationFailedException http
                ? http.getStatusCode() + " " + http.getResponseBody() : String.valueOf(failure);
        unavailableCount.increment();
        LOG.warn("Schema registry {} did not take {} (attempt {}, retried in the background; the hub runs on): {}",
                url, request == null ? "the event schemas" : request,
                exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER), error);
    }

    /** The run's end: one INFO line. */
    public void done() {
        if (enabled() && !abandoned) {
            LOG.info("Schema registry {}: {} schema version(s) of {} event type(s) registered{}", url,
                    registered.get(), schemas.types().size(),
                    refusedSubjects.isEmpty() ? "" : "; refused: " + new TreeSet<>(refusedSubjects));
        }
    }
}
