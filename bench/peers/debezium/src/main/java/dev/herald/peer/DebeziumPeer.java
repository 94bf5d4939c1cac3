package dev.herald.peer;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.ChangeEvent;
import io.debezium.embedded.Connect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The relay peer: Debezium's embedded engine reading an outbox table through the PostgreSQL connector (pgoutput),
 * the outbox EventRouter routing each row to its topic, and a KafkaProducer (acks=all, idempotent) sending every
 * batch; offsets are marked processed only after the batch's acks, as Debezium Server's Kafka sink does. The
 * payload column (text) goes to Kafka as it is, so its bytes are the bytes Herald's relay sends.
 *
 * <p>Settings as -D: peer.pg-host, peer.pg-port, peer.pg-db, peer.pg-user, peer.pg-password, peer.table
 * (schema.table), peer.slot, peer.publication, peer.brokers, peer.offsets-file, peer.extended-headers (Debezium's
 * extended.headers.enabled, default true as Debezium's own default), peer.progress-file (where the count of
 * records acked so far is kept, for the load generator to watch without asking the broker). See bench/README.md.
 */
public final class DebeziumPeer {

    private DebeziumPeer() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("name", "herald-bench-debezium");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", setting("offsets-file",
                Files.createTempFile("herald-bench-debezium", ".offsets").toString()));
        p.setProperty("database.hostname", setting("pg-host", "127.0.0.1"));
        p.setProperty("database.port", setting("pg-port", "5432"));
        p.setProperty("database.user", setting("pg-user", "postgres"));
        p.setProperty("database.password", setting("pg-password", ""));
        p.setProperty("database.dbname", setting("pg-db", "postgres"));
        p.setProperty("topic.prefix", "herald-bench");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", setting("slot", "herald_bench_debezium"));
        p.setProperty("publication.name", setting("publication", "herald_bench_debezium"));
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", setting("table", "public.outbox"));
        // the slot was made before the backlog was written: stream it, no snapshot of the table
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("extended.headers.enabled", setting("extended-headers", "true"));
        p.setProperty("transforms", "outbox");
        p.setProperty("transforms.outbox.type", "io.debezium.transforms.outbox.EventRouter");

        Properties kafka = new Properties();
        kafka.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, setting("brokers", "127.0.0.1:9092"));
        kafka.put(ProducerConfig.ACKS_CONFIG, "all");
        kafka.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        kafka.put(ProducerConfig.CLIENT_ID_CONFIG, "herald-bench-debezium");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka, new ByteArraySerializer(),
                new ByteArraySerializer());

        Progress progress = new Progress(setting("progress-file", ""));
        DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = DebeziumEngine.create(Connect.class)
                .using(p)
                .notifying((records, committer) -> {
                    // Debezium Server's Kafka sink: send the whole batch, wait for every ack, then mark it processed
                    CountDownLatch acked = new CountDownLatch(records.size());
                    AtomicReference<Exception> failed = new AtomicReference<>();
                    for (ChangeEvent<SourceRecord, SourceRecord> r : records) {
                        producer.send(toKafka(r.value()), (meta, e) -> {
                            if (e != null) {
                                failed.compareAndSet(null, e);
                            }
                            acked.countDown();
                        });
                    }
                    acked.await();
                    if (failed.get() != null) {
                        throw new IllegalStateException("Kafka refused a record", failed.get());
                    }
                    for (ChangeEvent<SourceRecord, SourceRecord> r : records) {
                        committer.markProcessed(r);
                    }
                    committer.markBatchFinished();
                    progress.report(records.size());
                })
                .using((success, message, error) -> {
                    System.err.println("debezium engine stopped: " + message + (error == null ? "" : " " + error));
                    if (!success) {
                        // the load generator watches this process: a failed engine must not look like a slow one
                        new Thread(() -> System.exit(1)).start();
                    }
                })
                .build();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                engine.close();
                executor.shutdown();
                producer.close();
            } catch (Exception e) {
                System.err.println("closing: " + e);
            }
        }));
        System.err.println("debezium peer: streaming " + p.getProperty("table.include.list") + " from slot "
                + p.getProperty("slot.name") + " to " + kafka.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
        executor.execute(engine);
    }

    /** The routed record as Kafka gets it: key and payload as bytes, the EventRouter's headers kept. */
    private static ProducerRecord<byte[], byte[]> toKafka(SourceRecord r) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : r.headers()) {
            headers.add(h.key(), bytes(h.value()));
        }
        return new ProducerRecord<>(r.topic(), null, bytes(r.key()), bytes(r.value()), headers);
    }

    private static byte[] bytes(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] b) {
            return b;
        }
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The count of records acked and marked processed so far, written whole (rename) after every batch. */
    private static final class Progress {
        private final Path file;
        private long acked;

        Progress(String file) {
            this.file = file.isEmpty() ? null : Path.of(file);
        }

        void report(int batch) {
            acked += batch;
            if (file != null) {
                try {
                    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                    Files.writeString(tmp, Long.toString(acked));
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    private static String setting(String name, String fallback) {
        return System.getProperty("peer." + name, fallback);
    }

}
