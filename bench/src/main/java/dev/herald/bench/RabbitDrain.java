package dev.herald.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The RabbitMQ scenario. A hub restarted on a Kafka backlog with its bridge on: watches the bridge's queue fill
 * (events/s = messages confirmed into it between the first sample that saw it move and the one that saw the
 * whole backlog, 100 ms resolution). Then, on the same broker, the raw baseline: a plain amqp-client
 * publishing persistent messages of the same size to a durable queue, each waiting for its confirm, with as
 * many threads as the bridge has. Then the peer (bench/peers/rabbitmq: a plain Camel route kafka -> spring-rabbitmq
 * with confirms) draining the same topic into a queue of its own on the same broker, watched the same way.
 */
final class RabbitDrain {

    private static final Pattern EMBEDDED = Pattern.compile("Embedded AMQP 0-9-1 broker .* listening on (amqp://[^\\s,]+)");

    private RabbitDrain() {
    }

    static void run(Args args) throws Exception {
        ObjectNode root = Main.JSON.createObjectNode();
        root.put("scenario", "rabbitmq");
        root.put("mode", "rabbitmq");
        root.putObject("hub").put("pid", args.getLong("hub-pid", -1));
        long events = args.getLong("events", 5_000);
        double wait = args.getDouble("wait", 60);
        int threads = args.getInt("threads", 2);
        String queue = args.require("queue");
        root.putObject("settings").put("events", events).put("wait_s", wait).put("threads", threads);
        String url = amqpUrl(Path.of(args.require("hub-log")), wait);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(url);
        Cpu cpu = new Cpu(java.util.Map.of("hub", args.getLong("hub-pid", -1)), 0);
        try (Connection connection = factory.newConnection("herald-bench")) {
            ObjectNode drain = root.putObject("rabbitmq_drain");
            Cpu.Phase phase = cpu.start();
            watch(connection, queue, events, wait, drain);
            phase.end(drain.path("in_queue_at_end").asLong(), 1_000, drain.putObject("cpu"));
            Main.log("rabbitmq:   bridge " + drain);
            ObjectNode raw = root.putObject("raw_amqp");
            long rawMessages = args.getLong("raw-messages", events);
            int size = drain.path("message_bytes").asInt(600);
            rawPublish(connection, rawMessages, size, threads, 1, raw);
            Main.log("rabbitmq:   raw amqp-client " + raw);
            // batched on both sides (issue 26): the bridge waits once per poll of a partition, so the fair raw
            // figure waits once per as many messages (herald.rabbitmq.max-poll-records)
            ObjectNode batched = root.putObject("raw_amqp_batched");
            rawPublish(connection, rawMessages, size, threads, args.getInt("raw-batch", 500), batched);
            Main.log("rabbitmq:   raw amqp-client, batched confirms " + batched);
            String peerJar = args.get("peer-jar", "");
            if (!peerJar.isEmpty()) {
                peer(connection, url, peerJar, args, events, wait, threads, root.putObject("peer_rabbitmq"));
            }
        }
        Main.JSON.writeValue(new File(args.require("out")), root);
    }

    /**
     * The peer on the same backlog: its own exchange and queue (bound to every key), its own consumer group on the
     * hub's topic from the start, as many consumer threads as the bridge; watched like the bridge, then stopped.
     */
    private static void peer(Connection connection, String amqpUrl, String jar, Args args, long events, double wait,
            int threads, ObjectNode out) throws Exception {
        String name = "herald-bench-peer-" + UUID.randomUUID().toString().substring(0, 8);
        try (Channel admin = connection.createChannel()) {
            admin.exchangeDeclare(name, "topic", true);
            admin.queueDeclare(name, true, false, false, null);
            admin.queueBind(name, name, "#");
        }
        String brokers = Main.kafkaBrokers(args);
        Path log = Path.of(args.get("peer-log", "peer-rabbitmq.log"));
        Process peer = new ProcessBuilder("java", "-Xmx256m", "-Dpeer.brokers=" + brokers,
                "-Dpeer.topic=" + args.get("kafka-topic", "customers"), "-Dpeer.group=" + name,
                "-Dpeer.threads=" + threads, "-Dpeer.amqp-url=" + amqpUrl, "-Dpeer.exchange=" + name, "-jar", jar)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Main.log("rabbitmq: the peer (pid " + peer.pid() + ") drains the same topic into " + name);
        out.put("what", "kafka -> spring-rabbitmq (confirm per message, routing key = CloudEvent type), offsets "
                + "committed after the route; " + threads + " consumer threads");
        try {
            Cpu cpu = new Cpu(java.util.Map.of("hub", args.getLong("hub-pid", -1), "peer", peer.pid()), 0);
            Cpu.Phase phase = cpu.start();
            watch(connection, name, events, wait, out);
            phase.end(out.path("in_queue_at_end").asLong(), 1_000, out.putObject("cpu"));
            Main.log("rabbitmq:   peer " + out);
        } finally {
            peer.destroy();
            peer.waitFor();
            try (Channel admin = connection.createChannel()) {
                admin.queueDelete(name);
                admin.exchangeDelete(name);
            }
        }
    }

    /** The embedded broker's URL, logged by the hub at start. */
    private static String amqpUrl(Path hubLog, double wait) throws Exception {
        long deadline = System.nanoTime() + (long) (wait * 1e9);
        while (System.nanoTime() < deadline) {
            if (Files.exists(hubLog)) {
                Matcher m = EMBEDDED.matcher(Files.readString(hubLog));
                if (m.find()) {
                    return m.group(1);
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no embedded AMQP broker in " + hubLog);
    }

    private static void watch(Connection connection, String queue, long events, double wait, ObjectNode out)
            throws Exception {
        Main.log("rabbitmq: watching " + queue + " receive the backlog of " + events + " events, at most " + wait + " s");
        long deadline = System.nanoTime() + (long) (wait * 1e9);
        long firstCount = -1;
        long firstAt = 0;
        long count = 0;
        long lastAt = 0;
        long halfCount = -1;
        long halfAt = 0;
        while (System.nanoTime() < deadline && count < events) {
            Long seen = depth(connection, queue);
            long now = System.nanoTime();
            if (seen != null && seen > 0 && firstCount < 0) {
                firstCount = seen;
                firstAt = now;
            }
            if (seen != null && seen >= events / 2 && halfCount < 0) {
                halfCount = seen;
                halfAt = now;
            }
            if (seen != null) {
                count = seen;
                lastAt = now;
            }
            Thread.sleep(100);
        }
        // the second half alone: the restarted hub's JIT and Kafka log recovery are over (the raw baseline,
        // measured after, runs in a warm JVM)
        double warm = halfCount < 0 ? 0 : (lastAt - halfAt) / 1e9;
        out.put("second_half_events_per_s", warm > 0 ? (count - halfCount) / warm : 0);
        double elapsed = firstCount < 0 ? 0 : (lastAt - firstAt) / 1e9;
        out.put("backlog", events);
        out.put("in_queue_at_end", count);
        out.put("in_queue_at_first_sample", Math.max(firstCount, 0));
        out.put("elapsed_s", elapsed);
        out.put("events_per_s", elapsed > 0 ? (count - firstCount) / elapsed : 0);
        out.put("complete", count >= events);
        try (Channel channel = connection.createChannel()) {
            var sample = channel.basicGet(queue, false);
            out.put("message_bytes", sample == null ? 600 : sample.getBody().length);
        }
    }

    /** Messages ready in the queue; null while the bridge has not declared it yet. */
    private static Long depth(Connection connection, String queue) {
        try (Channel channel = connection.createChannel()) {
            return (long) channel.queueDeclarePassive(queue).getMessageCount();
        } catch (Exception e) {
            return null;
        }
    }

    /** Persistent messages from {@code threads} channels, each waiting for its confirms every {@code batch} messages. */
    private static void rawPublish(Connection connection, long messages, int size, int threads, int batch,
            ObjectNode out) throws Exception {
        String name = "herald-bench-raw-" + UUID.randomUUID().toString().substring(0, 8);
        try (Channel admin = connection.createChannel()) {
            admin.exchangeDeclare(name, "topic", true);
            admin.queueDeclare(name, true, false, false, null);
            admin.queueBind(name, name, "#");
        }
        Main.log("rabbitmq: raw amqp-client baseline, " + messages + " persistent messages of " + size + " B, "
                + threads + " threads, " + (batch == 1 ? "a confirm per message" : "confirms awaited every " + batch + " messages"));
        byte[] body = new byte[size];
        AtomicLong errors = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            long share = messages / threads + (t < messages % threads ? 1 : 0);
            Thread worker = new Thread(() -> {
                try (Channel channel = connection.createChannel()) {
                    channel.confirmSelect();
                    for (long i = 0; i < share; i++) {
                        AMQP.BasicProperties props = MessageProperties.PERSISTENT_BASIC.builder()
                                .messageId(UUID.randomUUID().toString()).contentType("application/cloudevents+json")
                                .build();
                        channel.basicPublish(name, "customer.created", true, props, body);
                        if ((i + 1) % batch == 0 || i == share - 1) {
                            awaitConfirms(channel, errors);
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                    Main.log("rabbitmq: raw publisher failed: " + e);
                }
            });
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        try (Channel admin = connection.createChannel()) {
            admin.queueDelete(name);
            admin.exchangeDelete(name);
        }
        out.put("messages", messages);
        out.put("message_bytes", size);
        out.put("threads", threads);
        out.put("confirm_batch", batch);
        out.put("elapsed_s", elapsed);
        out.put("messages_per_s", messages / elapsed);
        out.put("errors", errors.get());
        out.put("settings", "persistent, mandatory, durable topic exchange and queue, waitForConfirms "
                + (batch == 1 ? "per message" : "every " + batch + " messages"));
    }

    private static void awaitConfirms(Channel channel, AtomicLong errors) throws Exception {
        if (!channel.waitForConfirms(5_000)) {
            errors.incrementAndGet();
        }
    }
}
