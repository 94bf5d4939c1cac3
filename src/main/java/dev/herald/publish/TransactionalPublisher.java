package dev.herald.publish;

import dev.herald.event.EventEnvelopes;
import dev.herald.store.EventStore.OutgoingEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka transactional producer (one per lane: a transactional producer serves one thread at a time).
 * Every blocking call is bounded by the publish timeout; after any failure the producer is dropped and the
 * next batch starts a fresh one with the same transactional id, which fences and aborts whatever was open.
 *
 * <p>{@link #withoutTransactions}: the same sends on an idempotent producer with no transaction, for events
 * published after their database commit (eager commands): a send acknowledged is visible at once, and
 * {@link #commit()} and {@link #abort()} have nothing to do.
 */
public final class TransactionalPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalPublisher.class);

    private static final byte[] CONTENT_TYPE = EventEnvelopes.CONTENT_TYPE.getBytes(StandardCharsets.US_ASCII);

    private final Properties config;
    private final Duration timeout;
    private final boolean transactional;
    private KafkaProducer<String, byte[]> producer;

    public TransactionalPublisher(String brokers, String transactionalId, Duration timeout) {
        this(brokers, transactionalId, timeout, true);
    }

    /** An idempotent producer (acks=all, ordered retries) named {@code clientId}, without transactions. */
    public static TransactionalPublisher withoutTransactions(String brokers, String clientId, Duration timeout) {
        return new TransactionalPublisher(brokers, clientId, timeout, false);
    }

    private TransactionalPublisher(String brokers, String id, Duration timeout, boolean transactional) {
        this.timeout = timeout;
        this.transactional = transactional;
        int millis = (int) timeout.toMillis();
        config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.put(transactional ? ProducerConfig.TRANSACTIONAL_ID_CONFIG : ProducerConfig.CLIENT_ID_CONFIG, id);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    }

    /**
     * For a producer that begins its next transaction right after committing one (a lane under load): the
     * coordinator refuses the new transaction's first partitions (CONCURRENT_TRANSACTIONS) until it has
     * written the previous one's commit markers, a few ms, and the producer asks again after
     * min(20 ms, retry.backoff.ms), a fixed wait. A lane waits 2 ms instead of 20 (the A/B is in
     * docs/performance.md). Call before the first send.
     */
    public TransactionalPublisher retryingBusyTransactionsAfter(Duration backoff) {
        config.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, (int) backoff.toMillis());
        return this;
    }

    /**
     * Begins a transaction and sends the events; returns once every one is acknowledged (written, not yet
     * visible to read_committed consumers; without transactions: visible). Fails with {@link PublishException} listing the events Kafka
     * refused for good, if any.
     */
    public void send(List<OutgoingEvent> events) throws PublishException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            KafkaProducer<String, byte[]> active = producer();
            if (transactional) {
                active.beginTransaction();
            }
            List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
            // the records the producer refused as it took them (too large, not serializable): a future already
            // failed when send() returns. Their transaction then fails the batch's other records with the same
            // error (Kafka aborts the undrained ones with the transaction's last error), so the error alone does
            // not say which record is at fault; this does
            BitSet refusedOnSend = new BitSet();
            Exception failure = null;
            for (OutgoingEvent event : events) {
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(event.topic(), event.key(),
                        event.envelope());
                record.headers().add(new RecordHeader("content-type", CONTENT_TYPE));
                if (event.traceparent() != null) {
                    record.headers().add(new RecordHeader("traceparent",
                            event.traceparent().getBytes(StandardCharsets.US_ASCII)));
                }
                try {
                    Future<RecordMetadata> ack = active.send(record);
                    if (failedAlready(ack)) {
                        refusedOnSend.set(acks.size());
                    }
                    acks.add(ack);
                } catch (KafkaException e) {
                    // after a failed record the transaction refuses further sends: not this record's fault
                    failure = e;
                    break;
                }
            }
            List<OutgoingEvent> refused = new ArrayList<>();
            for (int i = 0; i < acks.size(); i++) {
                try {
                    acks.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    boolean atFault = refusedOnSend.isEmpty() ? refusedForGood(cause) : refusedOnSend.get(i);
                    // the batch's failure names the record at fault, not one aborted with it
                    if (failure == null || atFault) {
                        failure = (Exception) cause;
                    }
                    if (atFault) {
                        refused.add(events.get(i));
                    }
                }
            }
            if (failure != null) {
                throw new PublishException(failure, refused);
            }
        } catch (PublishException e) {
            discard();
            throw e;
        } catch (Exception e) {
            discard();
            throw new PublishException(e, List.of());
        }
    }

    private static boolean failedAlready(Future<RecordMetadata> ack) {
        if (!ack.isDone()) {
            return false;
        }
        try {
            ack.get();
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Kafka will never take this record: not a failure that passes (retriable), and not one of the records a
     * transaction aborted because another record of it failed (those are fine, and go again without it).
     */
    private static boolean refusedForGood(Throwable cause) {
        return !(cause instanceof RetriableException) && !(cause instanceof TransactionAbortedException);
    }

    /** Makes the sent events visible. On failure they stay in the outbox and the relay publishes them. */
    public void commit() throws PublishException {
        if (!transactional) {
            return;
        }
        try {
            producer.commitTransaction();
        } catch (Exception e) {
            discard();
            throw new PublishException(e, List.of());
        }
    }

    void abort() {
        if (!transactional) {
            return;
        }
        try {
            producer.abortTransaction();
        } catch (Exception e) {
            LOG.debug("abort failed, dropping the producer", e);
            discard();
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            KafkaProducer<String, byte[]> fresh = new KafkaProducer<>(config);
            try {
                if (transactional) {
                    fresh.initTransactions();
                }
            } catch (RuntimeException e) {
                fresh.close(Duration.ZERO);
                throw e;
            }
            producer = fresh;
        }
        return producer;
    }

    private void discard() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
            producer = null;
        }
    }
}
