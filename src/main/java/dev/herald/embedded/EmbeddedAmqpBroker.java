package dev.herald.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener.DefaultSystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.BrokerImpl;
import org.apache.qpid.server.model.Connection;
import org.apache.qpid.server.model.SystemConfig;
import org.apache.qpid.server.model.VirtualHost;
import org.apache.qpid.server.model.VirtualHostNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AMQP 0-9-1 broker inside this JVM (Apache Qpid Broker-J, in-memory virtual host) for the zero-install
 * run: the RabbitMQ bridge publishes to it when no herald.rabbitmq.url is set. User guest/guest, vhost "/".
 * Nothing survives a stop; it is not RabbitMQ (no quorum or stream queues), so production points the bridge
 * at a real RabbitMQ. Its messages live in this JVM's memory, so each queue is capped (oldest dropped first): a
 * declared consumer nobody reads must not grow the hub until it runs out of memory.
 */
public final class EmbeddedAmqpBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedAmqpBroker.class);
    private static final String HOST = "127.0.0.1";

    // modelVersion 9.1; PLAIN over plain TCP on loopback; vhost aliases so "/" reaches the default node
    private static final String CONFIG = """
            {
              "name": "herald-embedded-amqp",
              "modelVersion": "9.1",
              "authenticationproviders": [ {
                "name": "plain", "type": "Plain", "secureOnlyMechanisms": [],
                "users": [ { "name": "guest", "type": "managed", "password": "guest" } ]
              } ],
              "ports": [ {
                "name": "AMQP", "port": "${qpid.amqp_port}", "bindingAddress": "127.0.0.1",
                "authenticationProvider": "plain",
                "virtualhostaliases": [ { "name": "nameAlias", "type": "nameAlias" },
                                        { "name": "defaultAlias", "type": "defaultAlias" } ]
              } ],
              "virtualhostnodes": [ {
                "name": "default", "type": "Memory", "defaultVirtualHostNode": "true",
                "virtualHostInitialConfiguration": "{\\"type\\": \\"Memory\\"}"
              } ]
            }
            """;

    private final Path workDir;
    private final int port;
    private final long queueLimit;
    private SystemLauncher launcher;
    private volatile SystemConfig<?> system;

    /**
     * port 0 = a free port, chosen once, so stop() + start() listens on the same port again; queueLimit = most
     * messages a queue holds before its oldest are dropped (0 = no limit)
     */
    public EmbeddedAmqpBroker(Path workDir, int port, long queueLimit) {
        this.workDir = workDir.toAbsolutePath().normalize();
        this.port = port == 0 ? freePort() : port;
        this.queueLimit = queueLimit;
    }

    public synchronized EmbeddedAmqpBroker start() {
        if (launcher != null) {
            return this;
        }
        long started = System.nanoTime();
        SystemLauncher starting = new SystemLauncher(new DefaultSystemLauncherListener() {
            @Override
            public void onContainerResolve(SystemConfig<?> config) {
                system = config;
            }
        });
        try {
            Files.createDirectories(workDir);
            // plain files: Qpid's own classpath: and data: URL handlers are not found when the JVM's class
            // loader is not the one that loaded Qpid (mvn exec:java)
            Path config = Files.writeString(workDir.resolve("initial-config.json"), CONFIG);
            Path systemProperties = Files.writeString(workDir.resolve("system.properties"), "");
            starting.startup(Map.of(
                    "type", "Memory",
                    "qpid.work_dir", workDir.toString(),
                    "initialConfigurationLocation", config.toUri().toString(),
                    "initialSystemPropertiesLocation", systemProperties.toString(),
                    "startupLoggedToSystemOut", false,
                    "context", context()));
        } catch (Exception e) {
            starting.shutdown();
            throw new IllegalStateException("Embedded AMQP broker failed to start on " + HOST + ":" + port, e);
        }
        launcher = starting;
        withoutQpidShutdownHook();
        LOG.info("Embedded AMQP 0-9-1 broker (Qpid Broker-J) listening on {}, started in {} ms", url(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return this;
    }

    /**
     * Qpid registers a JVM shutdown hook that stops the broker at the first signal, while the bridge may still be
     * publishing to it (RejectedExecutionException, then "Task executor Broker-Config is not in ACTIVE state" when
     * the hub stops it again). The hub stops it itself, after the bridge; Qpid has no switch for its hook.
     */
    private void withoutQpidShutdownHook() {
        SystemConfig<?> config = system;
        Object broker = config == null ? null : config.getContainer();
        if (!(broker instanceof BrokerImpl)) {
            return;
        }
        try {
            Field hook = BrokerImpl.class.getDeclaredField("_shutdownHook");
            hook.setAccessible(true);
            Runtime.getRuntime().removeShutdownHook((Thread) hook.get(broker));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Embedded AMQP broker keeps Qpid's own shutdown hook, so a stop may log errors: {}", e.toString());
        }
    }

    private Map<String, String> context() {
        Map<String, String> context = new HashMap<>();
        context.put("qpid.amqp_port", String.valueOf(port));
        // RabbitMQ's queue arguments (x-dead-letter-exchange...) are logged, not refused: Qpid has its own
        context.put("queue.behaviourOnUnknownDeclareArgument", "LOG");
        if (queueLimit > 0) {
            context.put("queue.defaultMaximumQueueDepthMessages", String.valueOf(queueLimit));
            context.put("queue.defaultOverflowPolicy", "RING");
        }
        return context;
    }

    /** amqp://guest:guest@127.0.0.1:port */
    public String url() {
        return "amqp://guest:guest@" + HOST + ":" + port;
    }

    /** Closes every client connection, as a broker restart or an operator would (tests of reconnection). */
    public void closeAllConnections() {
        SystemConfig<?> config = system;
        if (config == null) {
            return;
        }
        Broker<?> broker = (Broker<?>) config.getContainer();
        for (VirtualHostNode<?> node : broker.getVirtualHostNodes()) {
            VirtualHost<?> host = node.getVirtualHost();
            if (host != null) {
                for (Connection<?> connection : host.getConnections()) {
                    connection.delete();
                }
            }
        }
    }

    public synchronized void stop() {
        if (launcher != null) {
            SystemLauncher stopping = launcher;
            launcher = null;
            system = null;
            stopping.shutdown();
            LOG.info("Embedded AMQP broker on {}:{} stopped", HOST, port);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port", e);
        }
    }
}
