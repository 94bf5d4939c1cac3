package dev.herald;

import dev.herald.http.Problem;
import dev.herald.http.ServingGate;
import dev.herald.intake.ProblemResponder;
import dev.herald.security.InFlightLimit;
import dev.herald.settings.DeclaredSettings;
import dev.herald.settings.Http;
import dev.herald.settings.Publishing;
import dev.herald.settings.Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.main.SimpleMainShutdownStrategy;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the hub: settings from application.properties (working directory first, then the jar), HERALD_*
 * environment variables and -D properties; engines; then the routes in herald.routes.dir.
 */
public final class Herald implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Herald.class);

    private final Main main;
    private final Hub hub = new Hub();
    private volatile ServingGate gate;

    private Herald(Map<String, String> overrides) {
        main = new Main(Herald.class);
        main.setPropertyPlaceholderLocations("file:application.properties;optional=true,"
                + "classpath:application.properties;optional=true");
        overrides.forEach(main::addOverrideProperty);
        // one shutdown hook, Herald's (main), which stops in order; Camel's default strategy adds a hook of its own
        // that races it (in 4.17 even after disableHangupSupport())
        main.setShutdownStrategy(new SimpleMainShutdownStrategy());
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport support) {
                try {
                    hub.build(support.getCamelContext());
                    support.getCamelContext().getManagementStrategy().addEventNotifier(new ServerGuard());
                } catch (Exception e) {
                    throw new IllegalStateException("Herald could not start: " + e.getMessage(), e);
                }
            }

            @Override
            public void afterConfigure(BaseMainSupport support) {
                try {
                    hub.routesLoaded(support.getCamelContext());
                } catch (Exception e) {
                    throw new IllegalStateException("Herald could not start: " + e.getMessage(), e);
                }
            }
        });
    }

    /** Starts a hub; {@code overrides} win over every other source of settings (tests use them). */
    public static Herald start(Map<String, String> overrides) throws Exception {
        DeclaredSettings.catalog().checkGiven(overrides, System.getProperties(), System.getenv(),
                Path.of("application.properties"));
        Herald herald = new Herald(overrides);
        try {
            herald.main.start();
            if (herald.gate == null) {
                herald.guardServer(); // no routes-starting event came: guarded now, late rather than never
            }
            herald.gate.open();
        } catch (Exception e) {
            herald.close();
            throw e;
        }
        return herald;
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    /**
     * Guards the server once it listens and before the routes start (Camel's routes-starting event): from then on
     * a request that comes too early meets the closed {@link ServingGate}, not a 404.
     */
    private final class ServerGuard extends EventNotifierSupport {

        ServerGuard() {
            // a context event is all it waits for: without these, Camel makes events for every exchange and step of
            // every route for it (a visible share of a projection's per-event cost, docs/performance.md)
            setIgnoreExchangeEvents(true);
            setIgnoreRouteEvents(true);
            setIgnoreServiceEvents(true);
            setIgnoreStepEvents(true);
        }

        @Override
        public void notify(CamelEvent event) {
            if (event.getType() == CamelEvent.Type.RoutesStarting && gate == null) {
                guardServer();
            }
        }
    }

    /**
     * On the server's root router: the serving gate (503 while starting or stopping), at most herald.http.max-in-flight
     * requests at once (ahead of every route), and problem+json for requests no route matched (404, 405) or too large
     * (413).
     */
    private void guardServer() {
        Settings settings = new Settings(camelContext().getPropertiesComponent());
        int port = settings.get(Http.PORT);
        VertxPlatformHttpRouter routes = VertxPlatformHttpRouter.lookup(camelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        Router router = (Router) routes.getServer().getServer().requestHandler();
        ServingGate closed = new ServingGate(settings.get(Publishing.RETRY_AFTER), Herald::problem);
        router.route().order(-2).handler(closed);
        gate = closed;
        router.route().order(-1).handler(new InFlightLimit(settings.get(Http.MAX_IN_FLIGHT),
                settings.get(Publishing.RETRY_AFTER),
                camelContext().getRegistry().lookupByNameAndType("meterRegistry", MeterRegistry.class),
                Herald::problem));
        // unmatched requests fall through the routes' sub-router to the server's root router
        router.errorHandler(404, context -> problem(context, new Problem(404, "not-found", "Not found",
                "no resource at " + context.request().path())));
        router.errorHandler(405, context -> problem(context, new Problem(405, "method-not-allowed",
                "Method not allowed", context.request().method() + " is not allowed on " + context.request().path())));
        router.errorHandler(413, context -> problem(context, new Problem(413, "body-too-large", "Content too large",
                "the request body is larger than this hub accepts (herald.http.max-body-size)")));
    }

    private static void problem(RoutingContext context, Problem problem) {
        if (!context.response().ended()) {
            problem.headers().forEach(context.response()::putHeader);
            context.response().setStatusCode(problem.status())
                    .putHeader("Content-Type", ProblemResponder.CONTENT_TYPE)
                    .end(ProblemResponder.render(problem, context.request().path()));
        }
    }

    /**
     * Stops in dependency order (docs/operations.md, "Stopping"): the routes first (HTTP intake, the bridges' Kafka
     * consumers, timers; in-flight exchanges get camel.main.shutdown-timeout), then what they used, newest first:
     * bridges, relay, group committer, pool, and last the embedded AMQP broker, Kafka and PostgreSQL.
     */
    @Override
    public void close() {
        long started = System.nanoTime();
        long routes = started;
        try {
            if (gate != null) {
                gate.endKeepAlive();
            }
            hub.drain();
            if (gate != null) {
                gate.closeForStop();
            }
            // the context first: main.stop() alone would wait for it for the full graceful timeout (25 s)
            CamelContext camel = main.getCamelContext();
            if (camel != null) {
                camel.stop();
            }
            main.stop();
            routes = System.nanoTime();
        } finally {
            String resources = hub.close();
            LOG.info("Herald stopped in {} ms (routes {} ms; then {})", millis(started),
                    TimeUnit.NANOSECONDS.toMillis(routes - started), resources);
        }
    }

    private static long millis(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    public static void main(String[] args) throws Exception {
        Herald herald = start(Map.of());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Herald stopping (signal received)");
            herald.close();
            stopped.countDown();
            // an orderly stop ends with status 0 (the JVM's own would be 143 after SIGTERM), so an orchestrator
            // records a clean exit; every resource is closed by now
            Runtime.getRuntime().halt(0);
        }, "herald-shutdown"));
        stopped.await();
    }
}
