package dev.herald.deadletter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.http.JsonBodies;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies each dead letter to a Kafka topic (herald.dead-letters.topic), for tools that watch Kafka. Best
 * effort by design: the database record is the one that counts, and a broker that refuses the copy (it is
 * down, or the event was too large for it in the first place) only costs a log line.
 */
final class DeadLetterMirror implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterMirror.class);
    /** Below Kafka's default message size, with room for the record around the event. */
    private static final int MAX_EVENT_BYTES = 900 * 1024;

    private final String topic;
    private final KafkaProducer<String, byte[]> producer;

    DeadLetterMirror(String brokers, String topic) {
        this.topic = topic;
        this.producer = topic.isBlank() ? null : new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
                new StringSerializer(), new ByteArraySerializer());
    }

    void mirror(long id, DeadLetter letter) {
        if (producer == null) {
            return;
        }
        ObjectNode record = JsonBodies.MAPPER.createObjectNode();
        record.put("id", id);
        record.put("stage", letter.stage());
        record.put("destination", letter.destination());
        record.put("eventId", letter.eventId().toString());
        record.put("eventType", letter.eventType());
        record.put("aggregateId", letter.aggregateId());
        record.put("failureReason", letter.failureReason());
        record.put("errorClass", letter.errorClass());
        record.put("failureCount", letter.failureCount());
        if (letter.originalEvent().length() <= MAX_EVENT_BYTES) {
            record.set("originalEvent", json(letter.originalEvent()));
        } else {
            record.put("originalEventOmitted", "too large; GET /api/dead-letters/" + id + " has it");
        }
        try {
            producer.send(new ProducerRecord<>(topic, letter.aggregateId(),
                    record.toString().getBytes(StandardCharsets.UTF_8)), (metadata, failure) -> {
                        if (failure != null) {
                            LOG.warn("dead letter {} not copied to Kafka topic {}: {}", id, topic, failure.getMessage());
                        }
                    });
        } catch (RuntimeException e) {
            LOG.warn("dead letter {} not copied to Kafka topic {}: {}", id, topic, e.getMessage());
        }
    }

    private static JsonNode json(String text) {
        try {
            return JsonBodies.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return JsonBodies.MAPPER.getNodeFactory().textNode(text);
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(2));
        }
    }
}
