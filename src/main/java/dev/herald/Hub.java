package dev.herald;

import com.zaxxer.hikari.HikariDataSource;
import dev.herald.apidoc.ApiDocuments;
import dev.herald.apidoc.EventSide;
import dev.herald.bridge.BridgeConsumers;
import dev.herald.bridge.rabbitmq.RabbitBridge;
import dev.herald.bridge.rabbitmq.RabbitReplays;
import dev.herald.bridge.webhook.WebhookBridge;
import dev.herald.contract.EventSchemas;
import dev.herald.contract.registry.RegistryPublishing;
import dev.herald.deadletter.DeadLetterApi;
import dev.herald.deadletter.DeadLetterStore;
import dev.herald.cdc.CdcSources;
import dev.herald.cdc.ChangeMeters;
import dev.herald.cdc.ChangeNotConfirmed;
import dev.herald.cdc.ChangeRefusals;
import dev.herald.embedded.EmbeddedAmqpBroker;
import dev.herald.embedded.EmbeddedKafka;
import dev.herald.embedded.EmbeddedPostgresServer;
import dev.herald.embedded.ListenPort;
import dev.herald.event.EventEnvelopes;
import dev.herald.event.EventTypes;
import dev.herald.http.JsonBodies;
import dev.herald.http.JsonRequest;
import dev.herald.intake.CommandAnswer;
import dev.herald.intake.CommandRoutes;
import dev.herald.intake.DeclaredTopics;
import dev.herald.intake.EventSchemaCheck;
import dev.herald.intake.ProblemResponder;
import dev.herald.intake.RequestTracing;
import dev.herald.intake.SchemaFiles;
import dev.herald.intake.SqlParameterCheck;
import dev.herald.intake.StrictSchemaLoader;
import dev.herald.observe.CommandMeters;
import dev.herald.observe.HealthCheck;
import dev.herald.observe.LogFormat;
import dev.herald.observe.Metrics;
import dev.herald.observe.OutboxMonitor.ShedSettings;
import dev.herald.observe.OutboxMonitor;
import dev.herald.observe.PublishMeters;
import dev.herald.publish.GroupCommitPolicy;
import dev.herald.publish.GroupCommitter;
import dev.herald.publish.PublishSettings;
import dev.herald.projection.ProjectionApi;
import dev.herald.projection.ProjectionSettings;
import dev.herald.projection.Projectors;
import dev.herald.publish.TransactionalPublisher;
import dev.herald.query.QueryParameters;
import dev.herald.query.SchemaRegistryApi;
import dev.herald.reaction.ReactionSteps;
import dev.herald.replay.ReplayRequest;
import dev.herald.relay.KafkaDeadLetters;
import dev.herald.saga.SagaApi;
import dev.herald.saga.SagaChecks;
import dev.herald.saga.SagaRunners;
import dev.herald.saga.SagaSettings;
import dev.herald.relay.OutboxRelay.RelaySettings;
import dev.herald.relay.OutboxRelay;
import dev.herald.relay.RelayWakeup;
import dev.herald.security.AccessControl;
import dev.herald.security.ApiKeys;
import dev.herald.security.KeyApi;
import dev.herald.settings.Cdc;
import dev.herald.settings.DeadLetters;
import dev.herald.settings.Engines;
import dev.herald.settings.Events;
import dev.herald.settings.Http;
import dev.herald.settings.Logging;
import dev.herald.settings.Projections;
import dev.herald.settings.Publishing;
import dev.herald.settings.RabbitMq;
import dev.herald.settings.Relaying;
import dev.herald.settings.Sagas;
import dev.herald.settings.SchemaRegistry;
import dev.herald.settings.Security;
import dev.herald.settings.Settings;
import dev.herald.settings.Shedding;
import dev.herald.settings.Sources;
import dev.herald.settings.Stopping;
import dev.herald.settings.Tracing;
import dev.herald.sink.SinkErrors;
import dev.herald.sink.SinkRetries;
import dev.herald.sink.SinkSpan;
import dev.herald.store.Database;
import dev.herald.store.EventStore;
import dev.herald.store.Outbox;
import dev.herald.store.SqlSteps;
import dev.herald.store.TransactionPolicy;
import dev.herald.trace.Traces;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.http.HttpComponent;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the routes rely on, built before the routes load: engines (embedded where no URL is set), the
 * database pool and its migrations, the group committer, and the beans the YAML routes call by name.
 */
final class Hub {

    private static final Logger LOG = LoggerFactory.getLogger(Hub.class);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private HealthCheck health;
    private CdcSources cdc;
    private Duration drainPeriod = Duration.ZERO;

    void build(CamelContext camel) throws Exception {
        PropertiesComponent properties = camel.getPropertiesComponent();
        Settings settings = new Settings(properties);
        settings.checkAll();
        LogFormat.apply(settings.get(Logging.FORMAT));
        Path dataDir = Path.of(settings.get(Engines.DATA_DIR));

        // the embedded brokers start on threads of their own while PostgreSQL starts and migrates here
        // (StartingAside says why); their addresses are waited for where the first step needs them
        String brokers = settings.get(Engines.KAFKA_BROKERS);
        StartingAside<EmbeddedKafka> embeddedKafka = null;
        if (brokers.isEmpty()) {
            EmbeddedKafka kafka = new EmbeddedKafka(dataDir.resolve("kafka"),
                    ListenPort.choose(Engines.KAFKA_EMBEDDED_PORT.key(), settings.get(Engines.KAFKA_EMBEDDED_PORT), 9092))
                    .advertising(settings.get(Engines.KAFKA_EMBEDDED_ADVERTISED_PORT))
                    .durable(settings.get(Engines.EMBEDDED_DURABLE));
            embeddedKafka = own(StartingAside.start("herald-kafka-start", kafka::start));
        }
        String amqpUrl = settings.secret(Engines.RABBITMQ_URL);
        StartingAside<EmbeddedAmqpBroker> embeddedAmqp = null;
        if (amqpUrl.isEmpty() && settings.get(RabbitMq.ENABLED)) {
            // owned here, not by the bridge: it must stop after the bridge and the pool, beside Kafka
            EmbeddedAmqpBroker amqp = new EmbeddedAmqpBroker(dataDir.resolve("amqp"),
                    ListenPort.choose(Engines.RABBITMQ_EMBEDDED_PORT.key(), settings.get(Engines.RABBITMQ_EMBEDDED_PORT),
                            5672),
                    settings.get(Engines.RABBITMQ_EMBEDDED_QUEUE_LIMIT));
            embeddedAmqp = own(StartingAside.start("herald-amqp-start", amqp::start));
        }

        String dbUrl = settings.get(Engines.DB_URL);
        String dbUser = settings.get(Engines.DB_USER);
        String dbPassword = settings.secret(Engines.DB_PASSWORD);
        if (dbUrl.isEmpty()) {
            String port = settings.get(Engines.DB_EMBEDDED_PORT);
            EmbeddedPostgresServer postgres = own(EmbeddedPostgresServer.start(dataDir.resolve("postgres"),
                    port.isEmpty() ? 0 : Integer.parseInt(port), settings.get(Engines.EMBEDDED_DURABLE),
                    settings.get(Engines.EMBEDDED_START_TIMEOUT)));
            dbUrl = postgres.jdbcUrl();
            dbUser = "postgres";
            dbPassword = "";
        }
        HikariDataSource dataSource = own(Database.open(dbUrl, dbUser, dbPassword,
                settings.get(Engines.DB_POOL_SIZE)));
        Database.migrate(dataSource, settings.get(Sources.DB_DOMAIN_MIGRATIONS));

        // every event type's data schema per version, checked for compatibility (refuses the start if not)
        EventSchemas eventSchemas = EventSchemas.load(Path.of(settings.get(Sources.SCHEMAS_DIR)).resolve("events"));
        String instanceId = settings.get(Publishing.INSTANCE_ID);
        EventEnvelopes envelopes = new EventEnvelopes(settings.get(Events.SOURCE), settings.get(Http.PUBLIC_URL));
        EventStore store = new EventStore(envelopes, eventSchemas, instanceId);
        try (Connection connection = dataSource.getConnection()) {
            Outbox.releaseClaimsOf(connection, instanceId);
        }
        if (embeddedKafka != null) {
            brokers = embeddedKafka.started().bootstrapServers();
            properties.addOverrideProperty(Engines.KAFKA_BROKERS.key(), brokers);
        }
        // every kafka: endpoint of the routes (bridges, sinks, reactions) gets the brokers from the component, the one
        // place that holds the resolved value: a placeholder would read a blank HERALD_KAFKA_BROKERS or -D before the
        // embedded broker's address (Camel looks at -D and the environment first)
        KafkaConfiguration consumers = camel.getComponent("kafka", KafkaComponent.class).getConfiguration();
        consumers.setBrokers(brokers);
        // the takeover time of a killed instance's partitions (Kafka's 45 s default measured 46 s in the soak)
        consumers.setSessionTimeoutMs((int) settings.get(Engines.KAFKA_SESSION_TIMEOUT).toMillis());
        if (embeddedAmqp != null) {
            amqpUrl = embeddedAmqp.started().url();
            properties.addOverrideProperty(Engines.RABBITMQ_URL.key(), amqpUrl);
        }
        PublishSettings publish = new PublishSettings(settings.get(Publishing.TIMEOUT), settings.get(Publishing.LANES),
                settings.get(Publishing.BATCH_SIZE), settings.get(Publishing.LINGER),
                settings.get(Publishing.QUEUE_CAPACITY), settings.get(Publishing.RETRY_AFTER), brokers, instanceId);
        Registry registry = camel.getRegistry();
        Metrics metrics = own(new Metrics());
        registry.bind("metrics", metrics);
        registry.bind("meterRegistry", metrics.registry());
        health = own(new HealthCheck(dataSource, brokers));
        drainPeriod = settings.get(Stopping.DRAIN_PERIOD);
        registry.bind("health", health);
        OutboxMonitor monitor = own(new OutboxMonitor(dataSource, metrics.registry(), new ShedSettings(
                settings.get(Shedding.MAX_BACKLOG), settings.get(Shedding.BROKER_DOWN_AFTER),
                publish.retryAfterSeconds(), settings.get(Shedding.OBSERVE_INTERVAL)), health::kafkaReachable,
                camel.getExecutorServiceManager()))
                .start();
        PublishMeters publishMeters = new PublishMeters(metrics.registry(), monitor);
        CommandMeters commandMeters = new CommandMeters(metrics.registry());
        // W3C trace context end to end (docs/operations.md, "Tracing"): spans exported when an endpoint is set;
        // closed after everything that ends spans
        Traces traces = own(Traces.of(otlpEndpoint(settings), settings.get(Tracing.SERVICE_NAME)));
        registry.bind("traces", traces);
        camel.addRoutePolicyFactory(new RequestTracing(traces));
        GroupCommitter committer = own(new GroupCommitter(dataSource, store, publish, publishMeters, traces));

        // each request waits on a Vert.x worker while its batch commits: enough of them lets batches grow
        registry.bind("vertxOptions", new VertxOptions().setWorkerPoolSize(settings.get(Http.WORKERS)));
        registry.bind("dataSource", dataSource);
        registry.bind("eventSchemas", eventSchemas);
        registry.bind("schemaRegistry", new SchemaRegistryApi(eventSchemas));
        // the event schemas published to a Confluent-compatible registry when one is set (routes/schemas.camel.yaml)
        RegistryPublishing registryPublishing = new RegistryPublishing(eventSchemas, settings.get(SchemaRegistry.URL),
                settings.get(SchemaRegistry.SUBJECT), settings.get(SchemaRegistry.USER),
                settings.secret(SchemaRegistry.PASSWORD), metrics.registry());
        registry.bind("schemaRegistryPublishing", registryPublishing);
        registry.bind("schemaRegistryRetrying", (Processor) registryPublishing::retrying);
        // the steps of a command route (routes/templates.camel.yaml shows them in order)
        DeadLetterStore deadLetters = own(new DeadLetterStore(dataSource, metrics.registry(), brokers,
                settings.get(DeadLetters.TOPIC)));
        // projections: routes from herald:projection:<name>, the event store in commit order (docs/commands.md)
        Projectors projectors = new Projectors(dataSource, deadLetters, metrics.registry(), new ProjectionSettings(
                settings.get(Projections.INTERVAL), settings.get(Projections.BATCH_SIZE),
                settings.get(Projections.MAX_BACKOFF)), brokers, eventSchemas, traces);
        registry.bind("projectionApi", new ProjectionApi(projectors, publish.retryAfterSeconds()));
        // sagas: routes from herald:saga:<type>, calls to declared services and final commands (docs/sagas.md)
        SagaSettings sagaSettings = new SagaSettings(settings.get(Sagas.INTERVAL), settings.get(Sagas.STEP_DEADLINE),
                settings.get(Sagas.RETRY_BACKOFF), settings.get(Sagas.MAX_BACKOFF), settings.get(Sagas.LEASE),
                settings.get(Sagas.MAX_RUNNING), instanceId);
        sagaSettings.checkLease(settings.get(Sagas.CALL_TIMEOUT));
        SagaRunners sagas = new SagaRunners(dataSource, deadLetters, metrics.registry(), sagaSettings,
                service -> settings.get(Sagas.serviceUrl(service)), traces);
        registry.bind("sagaApi", new SagaApi(sagas, publish.retryAfterSeconds()));
        // a saga call that hangs counts as failed (and is retried) after herald.sagas.call-timeout
        HttpComponent http = camel.getComponent("http", HttpComponent.class);
        long callTimeout = settings.get(Sagas.CALL_TIMEOUT).toMillis();
        http.setConnectTimeout(callTimeout);
        http.setResponseTimeout(callTimeout);
        http.setSoTimeout(callTimeout);
        // one connection per saga worker to a service, were there more workers than the client's default allows
        http.setConnectionsPerRoute(Math.max(http.getConnectionsPerRoute(), sagaSettings.maxRunning()));
        http.setMaxTotalConnections(Math.max(http.getMaxTotalConnections(), 4 * sagaSettings.maxRunning()));
        // the saga runner decides about retries (and records each attempt), not the HTTP client behind it
        http.setHttpClientConfigurer(HttpClientBuilder::disableAutomaticRetries);
        // reactions: other services' events applied as commands, exactly once (docs/reactions.md)
        ReactionSteps reactions = new ReactionSteps(dataSource, metrics.registry(), deadLetters);
        reactions.bind(registry);
        RabbitBridge rabbitBridge = own(RabbitBridge.install(camel, settings, amqpUrl, brokers, metrics.registry(),
                deadLetters, traces));
        // the OpenAPI and AsyncAPI documents of the declared routes (routes/api-docs.camel.yaml), read one change of
        // the routes at a time (live reload)
        Object oneChangeAtATime = new Object();
        registry.bind("herald", new HeraldComponent(monitor::admit, projectors, new ApiDocuments(
                settings.get(Http.PUBLIC_URL), EventSide.from(settings, brokers, amqpUrl, eventSchemas, rabbitBridge),
                oneChangeAtATime), reactions, sagas));
        registry.bind("jsonRequest", new JsonRequest());
        registry.bind("strictJson", JsonBodies.MAPPER);
        registry.bind("groupCommit", new GroupCommitPolicy(committer, traces));
        registry.bind("commandAnswer", new CommandAnswer(commandMeters));
        registry.bind("queryParameters", new QueryParameters());
        SqlSteps.countParametersOnce(camel);
        SchemaFiles.checkAtStart(camel);
        SqlSteps.rowsConvertToJson(camel);
        registry.bind("problems", new ProblemResponder(commandMeters, new CommandRoutes(camel),
                publish.retryAfterSeconds()));
        registry.bind("schemaLoader", new StrictSchemaLoader());
        registry.bind("deadLetters", deadLetters);
        registry.bind("deadLetterApi", new DeadLetterApi(dataSource, deadLetters, publish.retryAfterSeconds()));
        // the error handling of sinks of your own (routes/sinks.camel.yaml, docs/sinks.md)
        SinkErrors sinkErrors = new SinkErrors(deadLetters);
        registry.bind("sinkRetrying", (Processor) sinkErrors::retrying);
        registry.bind("sinkDeadLetter", (Processor) sinkErrors::deadLetter);
        registry.bind("sinkSpan", new SinkSpan(traces));
        ApiKeys apiKeys = new ApiKeys(dataSource, settings.get(Security.KEY_CACHE),
                settings.secret(Security.BOOTSTRAP_KEY), publish.retryAfterSeconds());
        AccessControl access = new AccessControl(apiKeys, settings.get(Security.RATE_LIMIT),
                settings.get(Security.ANONYMOUS_RATE_LIMIT));
        registry.bind("access", access);
        registry.bind("keyApi", new KeyApi(dataSource, apiKeys, access, publish.retryAfterSeconds()));
        // replays: the event store in pages to a chosen consumer (routes/replays.camel.yaml)
        registry.bind("replayRequest", new ReplayRequest(dataSource,
                registry.lookupByNameAndType("rabbitReplays", RabbitReplays.class)::declares));
        registry.bind("replayTransaction", new TransactionPolicy(dataSource));
        TransactionalPublisher relayPublisher = new TransactionalPublisher(brokers, instanceId + "-relay",
                settings.get(Publishing.TIMEOUT));
        KafkaDeadLetters relayDeadLetters = new KafkaDeadLetters(dataSource, deadLetters,
                EventTypes.matching(settings.get(Relaying.STRICT_ORDER_TYPES)));
        registry.bind("relay", own(new OutboxRelay(dataSource, relayPublisher, relayDeadLetters,
                new RelaySettings(settings.get(Relaying.BATCH_SIZE), settings.get(Relaying.LEASE),
                        settings.get(Relaying.MAX_ATTEMPTS), instanceId + "-relay"), publishMeters, traces)));
        if (settings.get(Relaying.ENABLED)) {
            RelayWakeup wakeup = own(new RelayWakeup(camel, dbUrl, dbUser, dbPassword,
                    settings.get(Relaying.QUEUE)));
            // once: routes added later (live reload) call the listeners again, alreadyStarted
            camel.addStartupListener((context, alreadyStarted) -> {
                if (!alreadyStarted) {
                    wakeup.start();
                }
            });
        }
        // change data capture (routes/cdc.camel.yaml): the database its sources read, settled once the routes load
        boolean ownDatabase = settings.get(Cdc.DB_URL).isEmpty();
        cdc = own(new CdcSources(ownDatabase ? dbUrl : settings.get(Cdc.DB_URL),
                ownDatabase && settings.get(Cdc.DB_USER).isEmpty() ? dbUser : settings.get(Cdc.DB_USER),
                ownDatabase && settings.get(Cdc.DB_USER).isEmpty() ? dbPassword : settings.secret(Cdc.DB_PASSWORD),
                dataSource, dataDir.resolve("cdc"), settings.get(Cdc.SLOT_LAG_ALERT), settings.get(Cdc.SLOT_LAG_INTERVAL),
                metrics.registry()));
        registry.bind("cdcUnconfirmed", new ChangeNotConfirmed());
        ChangeMeters cdcChanges = new ChangeMeters(metrics.registry());
        registry.bind("cdcChanges", cdcChanges);
        registry.bind("cdcRefusals", new ChangeRefusals(dataSource, deadLetters, cdcChanges));
        own(WebhookBridge.install(camel, settings, dataDir, dataSource, deadLetters, metrics.registry(), traces));
        LiveReload.install(camel, settings, oneChangeAtATime, rabbitBridge);
        LOG.info("Herald: database {}, Kafka {}, publish mode {}", Settings.withoutCredentials(dbUrl), brokers,
                settings.get(Publishing.MODE));
    }

    /** herald.tracing.otlp-endpoint, else the standard OTEL_EXPORTER_OTLP_ENDPOINT. */
    private static String otlpEndpoint(Settings settings) {
        String endpoint = settings.get(Tracing.OTLP_ENDPOINT);
        return endpoint.isBlank() ? System.getenv().getOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT", "") : endpoint;
    }

    /**
     * After the routes are loaded, before Camel creates them: the checks of their declarations (SQL parameters, an
     * event schema for each command's event version), and what follows from them, i.e. the topics each bridge consumes (every declared command's, unless set or excluded), and how each sink route
     * takes an operator's retry of its dead letters.
     */
    void routesLoaded(CamelContext camel) throws Exception {
        SqlParameterCheck.check(camel);
        EventSchemaCheck.check(camel, camel.getRegistry().lookupByNameAndType("eventSchemas", EventSchemas.class));
        Set<String> topics = new TreeSet<>(DeclaredTopics.in(camel));
        DeadLetterStore deadLetters = camel.getRegistry().lookupByNameAndType("deadLetters", DeadLetterStore.class);
        topics.addAll(cdc.settle(camel, camel.getRegistry().lookupByNameAndType("eventSchemas", EventSchemas.class),
                deadLetters));
        BridgeConsumers.settle(camel, topics);
        SagaChecks.check(camel);
        SinkRetries.register(camel, deadLetters, camel.getRegistry().lookupByNameAndType("sinkSpan", SinkSpan.class));
        ReactionSteps.settle(camel, new CommandRoutes(camel), deadLetters);
    }

    /**
     * The first step of a stop: readiness fails at once, and for herald.shutdown.drain-period the hub goes on
     * taking requests, so a load balancer that polls readiness stops sending before the routes stop.
     */
    void drain() {
        if (health == null) {
            return;
        }
        health.drain();
        if (!drainPeriod.isZero()) {
            LOG.info("Herald draining: /observe/health answers 503 DRAINING for {} ms, then the stop",
                    drainPeriod.toMillis());
            try {
                Thread.sleep(drainPeriod.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stop now: what was asked to wait no longer does
            }
        }
    }

    /** A resource's name in the stop's lines: an engine started aside by its own class, as if started here. */
    private static String nameOf(AutoCloseable resource) {
        return resource instanceof StartingAside<?> aside ? aside.engineName() : resource.getClass().getSimpleName();
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }

    /**
     * Closes in reverse order of creation: bridges before the committer, committer before pool, pool before the
     * engines. Answers how long each took, for the log line of a stop.
     */
    String close() {
        StringJoiner took = new StringJoiner(", ");
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            long started = System.nanoTime();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", nameOf(resource), e);
            }
            took.add(nameOf(resource) + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
        }
        return took.toString();
    }
}
