package dev.herald.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka 3.9 broker running inside this JVM in KRaft combined mode
 * (broker + controller in one node). The storage directory is formatted only once,
 * so topics, offsets and committed records survive restarts of the JVM.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final long START_TIMEOUT_MS = 30_000;

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private int advertisedPort;
    private int internalPort;
    private boolean durable = true;
    private KafkaRaftServer server;

    /** port 0 = pick a free port; the chosen port is kept, so stop() + start() listens on the same port again */
    public EmbeddedKafka(Path dataDir, int port) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        // Both ports are chosen once, here: clients and the (static) controller quorum
        // must find the node at the same addresses after stop() + start().
        int[] free = freePorts(2);
        this.port = port == 0 ? free[0] : port;
        // two ports bound at once differ, so one of them is not the client port
        this.controllerPort = free[1] != this.port ? free[1] : free[0];
    }

    /**
     * Fault injection (tests, soak runs): clients are told to connect at {@code clientPort}, a TCP proxy
     * forwarding to {@link #port()}, so every client byte crosses the proxy. The broker's own traffic (its
     * transaction markers) and {@link #directBootstrapServers()} use a listener of their own that bypasses it.
     * 0 (the default) advertises {@link #port()} itself. Call before {@link #start()}.
     */
    public EmbeddedKafka advertising(int clientPort) {
        if (clientPort != 0 && internalPort == 0) {
            internalPort = freePorts(1)[0];
        }
        advertisedPort = clientPort;
        return this;
    }

    /**
     * true (the default): each append is flushed to disk before it is acknowledged, so an acknowledged event
     * survives an OS crash or power loss, not only a crash of the hub; false leaves flushing to the OS (faster;
     * tests and trials). Call before {@link #start()}.
     */
    public EmbeddedKafka durable(boolean flushEachAppend) {
        this.durable = flushEachAppend;
        return this;
    }

    /** The port the client listener binds (what a proxy in front of it forwards to). */
    public int port() {
        return port;
    }

    /** Starts the broker and blocks until it serves clients (at most ~30 s). No-op if already running. */
    public synchronized EmbeddedKafka start() {
        if (server != null) {
            return this;
        }
        long started = System.nanoTime();
        Properties props = brokerProperties();
        formatOnFirstStart(props);
        KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        try {
            s.startup();
            awaitClients();
        } catch (RuntimeException e) {
            shutdownQuietly(s);
            throw new IllegalStateException("Embedded Kafka failed to start on " + bootstrapServers(), e);
        }
        server = s;
        LOG.info("Embedded Kafka listening on {} (controller 127.0.0.1:{}{}), data in {}, started in {} ms",
                bootstrapServers(), controllerPort, advertisedPort == 0 ? "" : ", through a proxy to port " + port, dataDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return this;
    }

    /** Where clients connect: the advertised proxy if there is one. */
    public String bootstrapServers() {
        return HOST + ":" + (advertisedPort != 0 ? advertisedPort : port);
    }

    /** Bypasses an advertised proxy: for checkers that must see the broker whatever the proxy does. */
    public String directBootstrapServers() {
        return advertisedPort != 0 ? HOST + ":" + internalPort : bootstrapServers();
    }

    /** Clean shutdown; the data directory is kept. Safe to call more than once. */
    public synchronized void stop() {
        if (server != null) {
            KafkaRaftServer s = server;
            server = null;
            shutdownQuietly(s);
            LOG.info("Embedded Kafka on {} stopped", bootstrapServers());
        }
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public void close() {
        stop();
    }

    private Properties brokerProperties() {
        Properties p = new Properties();
        // KRaft combined mode: this one node is the broker and the only controller voter.
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", String.valueOf(NODE_ID));
        p.setProperty("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        if (advertisedPort != 0) {
            // clients go through the proxy; the broker talks to itself on INTERNAL, which a fault does not touch
            p.setProperty("listeners", p.getProperty("listeners") + ",INTERNAL://" + HOST + ":" + internalPort);
            p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + advertisedPort
                    + ",INTERNAL://" + HOST + ":" + internalPort);
            p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT");
            p.setProperty("inter.broker.listener.name", "INTERNAL");
        }
        p.setProperty("log.dirs", dataDir.toString());
        // One broker: internal topics cannot have more than one replica; few partitions keep startup fast.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "3");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "3");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("num.partitions", "3");
        p.setProperty("auto.create.topics.enable", "true");
        // Modest disk and memory footprint for a dev/embedded broker.
        p.setProperty("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        p.setProperty("log.retention.hours", "168");
        p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024L)); // default 128 MB of heap
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "4");
        // Bound startup instead of the default "wait forever". Heartbeat/session timeouts stay at their
        // defaults: shorter ones did not speed up start or stop, and would fence the broker on a long GC pause.
        p.setProperty("server.max.startup.time.ms", String.valueOf(START_TIMEOUT_MS));
        if (durable) {
            // one broker, so acks=all is this one log: without a flush an acknowledged record lives in the page
            // cache only (Kafka's default relies on replicas, which an embedded broker has none of)
            p.setProperty("log.flush.interval.messages", "1");
        }
        return p;
    }

    /**
     * Formats the storage directory only when meta.properties is absent, so existing logs are kept.
     * Goes through kafka.tools.StorageTool (the kafka-storage.sh "format" command) because it lives in
     * kafka_2.13, the only Kafka server jar on the compile classpath; the Formatter it drives is runtime-only.
     */
    private void formatOnFirstStart(Properties props) {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return;
        }
        Path configFile = null;
        try {
            Files.createDirectories(dataDir);
            configFile = Files.createTempFile("herald-kafka-", ".properties");
            try (Writer w = Files.newBufferedWriter(configFile)) {
                props.store(w, "embedded Kafka broker config, used once to format " + dataDir);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc = StorageTool.execute(new String[] {
                    "format", "--config", configFile.toString(), "--cluster-id", Uuid.randomUuid().toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            String output = out.toString(StandardCharsets.UTF_8).trim();
            if (rc != 0 || !Files.exists(dataDir.resolve("meta.properties"))) {
                throw new IllegalStateException("kafka-storage format failed (rc " + rc + "): " + output);
            }
            LOG.debug("Formatted Kafka storage: {}", output);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot format Kafka storage in " + dataDir, e);
        } finally {
            if (configFile != null) {
                try {
                    Files.deleteIfExists(configFile);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    /** startup() already waits for unfencing; this confirms that a real client sees a live broker. */
    private void awaitClients() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        Exception last = null;
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, directBootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e; // not reachable yet: retry until the deadline
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Kafka", e);
        }
        throw new IllegalStateException("Kafka did not serve clients within " + START_TIMEOUT_MS + " ms", last);
    }

    private static void shutdownQuietly(KafkaRaftServer s) {
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Error while shutting down embedded Kafka", e);
        }
    }

    /** Binds n ephemeral ports at once (so they differ), then releases them for Kafka to take. */
    private static int[] freePorts(int n) {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            InetAddress loopback = InetAddress.getByName(HOST);
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 0, loopback);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port", e);
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // nothing to release
                    }
                }
            }
        }
    }
}
