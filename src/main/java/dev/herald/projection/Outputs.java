package dev.herald.projection;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.store.SqlRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A projection's output topic (option {@code output}): the read-model rows its route changed (the rows its last
 * {@code sql:} step returned), written to {@code projection_outputs} in the read-model transaction and sent to a
 * compacted Kafka topic only once that transaction committed, keyed by the {@code outputKey} column. Sent in the
 * order they were written, one instance at a time ({@link OutputShipper}), then deleted: at least once, and a key's
 * last record is its current row.
 */
final class Outputs implements AutoCloseable {

    private static final int BATCH = 1_000;
    private static final int TIMEOUT_MS = 10_000;

    private final String projection;
    private final String topic;
    private final String keyColumn;
    private final String brokers;
    private KafkaProducer<String, String> producer;
    private boolean topicReady;

    Outputs(String projection, String topic, String keyColumn, String brokers) {
        this.projection = projection;
        this.topic = topic;
        this.keyColumn = keyColumn;
        this.brokers = brokers;
    }

    String topic() {
        return topic;
    }

    /**
     * The changed rows an event's route left as its body (a statement's RETURNING rows: camel-sql's column maps, or
     * JSON), for {@link #write}: key and JSON text each.
     */
    List<String[]> of(Object body) throws SQLException {
        List<String[]> records = new ArrayList<>();
        if (body instanceof List<?> rows && rows.stream().allMatch(row -> row instanceof Map<?, ?>)) {
            for (Object row : rows) {
                Map<?, ?> columns = (Map<?, ?>) row;
                if (!SqlRows.isWhole(columns)) {
                    // the usual case, columns: the key and the text straight from them, no tree in between
                    records.add(new String[] {key(columns.get(keyColumn) == null ? null
                            : SqlRows.value(columns.get(keyColumn)), columns), SqlRows.text(columns)});
                    continue;
                }
                JsonNode whole = SqlRows.of(columns).get(0);
                records.add(new String[] {key(whole.get(keyColumn), whole), whole.toString()});
            }
            return records;
        }
        for (JsonNode row : SqlRows.of(body)) {
            records.add(new String[] {key(row.get(keyColumn), row), row.toString()});
        }
        return records;
    }

    private String key(JsonNode key, Object row) {
        if (key == null || key.isNull()) {
            throw new IllegalStateException("projection " + projection + ": a changed row has no " + keyColumn
                    + " (outputKey) for the output topic " + topic + ": " + row);
        }
        return key.asText();
    }

    /** In the read-model transaction. */
    void write(Connection transaction, List<String[]> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = transaction.prepareStatement(
                "INSERT INTO projection_outputs (projection, key, value) VALUES (?, ?, ?)")) {
            for (String[] record : records) {
                insert.setString(1, projection);
                insert.setString(2, record[0]);
                insert.setString(3, record[1]);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * In a transaction holding the projection's output lock: sends what committed transactions left, in order, and
     * deletes it (with that transaction's commit). Answers how many were sent.
     */
    int ship(Connection transaction) throws SQLException, ExecutionException, TimeoutException, InterruptedException {
        List<Long> ids = new ArrayList<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (PreparedStatement select = transaction.prepareStatement(
                "SELECT id, key, value FROM projection_outputs WHERE projection = ? ORDER BY id LIMIT " + BATCH)) {
            select.setString(1, projection);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    if (ids.isEmpty()) {
                        ensureTopic();
                    }
                    ids.add(row.getLong(1));
                    sent.add(producer().send(new ProducerRecord<>(topic, row.getString(2), row.getString(3))));
                }
            }
        }
        if (ids.isEmpty()) {
            return 0;
        }
        producer().flush();
        for (Future<RecordMetadata> record : sent) {
            record.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        try (PreparedStatement delete = transaction.prepareStatement(
                "DELETE FROM projection_outputs WHERE projection = ? AND id <= ?")) {
            delete.setString(1, projection);
            delete.setLong(2, ids.get(ids.size() - 1));
            delete.executeUpdate();
        }
        return ids.size();
    }

    /** The topic, compacted (a key's last record is what a consumer needs), unless it exists already. */
    private void ensureTopic() throws ExecutionException, InterruptedException, TimeoutException {
        if (topicReady) {
            return;
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS / 2))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty())
                    .configs(Map.of("cleanup.policy", "compact")))).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        topicReady = true;
    }

    private KafkaProducer<String, String> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                    ProducerConfig.CLIENT_ID_CONFIG, "herald-projection-" + projection,
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, TIMEOUT_MS,
                    // a round's records (at most BATCH) in one batch, not 16 KB ones: a durable broker flushes its log
                    // per batch appended, and the output's records are small and many (docs/performance.md)
                    ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS / 2,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
        }
        return producer;
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
            producer = null;
        }
    }
}
