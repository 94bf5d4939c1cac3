package dev.herald.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    private static final String TOPIC = "herald.embedded.test";

    @Test
    @Timeout(60)
    void committedRecordSurvivesRestartOnSamePort(@TempDir Path dataDir) throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka(dataDir, 0)) {
            kafka.start();
            assertThat(kafka.isRunning()).isTrue();
            String bootstrap = kafka.bootstrapServers();
            assertThat(bootstrap).startsWith("127.0.0.1:");
            assertThat(dataDir.resolve("meta.properties")).exists();

            try (KafkaProducer<String, String> producer = transactionalProducer(bootstrap)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, "key-1", "hello")).get();
                producer.commitTransaction();
            }
            assertThat(readCommitted(bootstrap, "group-before")).containsExactly("key-1=hello");

            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            kafka.stop(); // safe twice

            kafka.start();
            assertThat(kafka.isRunning()).isTrue();
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(readCommitted(bootstrap, "group-after")).containsExactly("key-1=hello");
        }

        // A new instance (as after a JVM restart) reuses the formatted directory, even on other ports.
        try (EmbeddedKafka again = new EmbeddedKafka(dataDir, 0).durable(false).start()) {
            assertThat(readCommitted(again.bootstrapServers(), "group-new-instance")).containsExactly("key-1=hello");
        }
    }

    private static KafkaProducer<String, String> transactionalProducer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "herald-test-" + UUID.randomUUID(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000),
                new StringSerializer(), new StringSerializer());
    }

    /** Reads the topic from the beginning with a fresh group until one record arrives. */
    private static List<String> readCommitted(String bootstrap, String group) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(20)).pollInSameThread().pollInterval(Duration.ZERO).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.key() + "=" + r.value());
                }
                return !seen.isEmpty();
            });
        }
        return seen;
    }
}
