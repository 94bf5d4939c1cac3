package dev.herald.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The raw baseline of the relay: a plain KafkaProducer (acks=all, idempotent, otherwise default settings)
 * sending N records of ~600 bytes, keyed like Herald's events, to a scratch topic on the hub's Kafka.
 */
final class RawKafka {

    private final String brokers;

    RawKafka(String brokers) {
        this.brokers = brokers;
    }

    ObjectNode run(long records, int size, Cpu cpu, ObjectNode out) throws Exception {
        String topic = "bench-raw-" + Long.toString(System.currentTimeMillis(), 36);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            int partitions = partitionsOf(admin, "customers");
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            try {
                Properties p = new Properties();
                p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
                p.put(ProducerConfig.ACKS_CONFIG, "all");
                p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                p.put(ProducerConfig.CLIENT_ID_CONFIG, "herald-bench-raw");
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                        new ByteArraySerializer())) {
                    send(producer, topic, Math.min(records, 2_000), size); // warm-up: metadata, connections
                    Stats stats = new Stats();
                    Cpu.Phase phase = cpu.start();
                    long start = System.nanoTime();
                    long errors = send(producer, topic, records, size, stats);
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    phase.end(records - errors, 1_000, out.putObject("cpu"));
                    out.put("records", records);
                    out.put("record_bytes", size);
                    out.put("partitions", partitions);
                    out.put("settings", "acks=all, enable.idempotence=true, other producer settings default");
                    stats.toJson(out, elapsed, "records_per_s");
                    out.put("send_errors", errors);
                }
            } finally {
                admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            }
        }
        return out;
    }

    private static int partitionsOf(Admin admin, String topic) {
        try {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic);
            return d.partitions().size();
        } catch (Exception e) {
            return 1;
        }
    }

    private static long send(KafkaProducer<String, byte[]> producer, String topic, long n, int size)
            throws Exception {
        return send(producer, topic, n, size, new Stats());
    }

    /** Sends n records, flushes, returns the number of failed sends; per-record latency is send-to-ack. */
    private static long send(KafkaProducer<String, byte[]> producer, String topic, long n, int size, Stats stats)
            throws Exception {
        AtomicReference<Exception> firstError = new AtomicReference<>();
        byte[] base = RawJdbc.envelope(UUID.randomUUID(), "k", "Bench User", "bench@example.com",
                java.time.OffsetDateTime.now()).getBytes(StandardCharsets.UTF_8);
        byte[] value = java.util.Arrays.copyOf(base, size);
        for (int i = size - 1; i >= base.length; i--) {
            value[i] = ' ';
        }
        for (long i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            producer.send(new ProducerRecord<>(topic, "aggregate-" + (i % 1_000), value), (metadata, e) -> {
                if (e == null) {
                    stats.success("acked", System.nanoTime() - t0);
                } else {
                    firstError.compareAndSet(null, e);
                    stats.failure("exception:" + e.getClass().getSimpleName(), e.getMessage());
                }
            });
        }
        producer.flush();
        return stats.failed.sum();
    }
}
