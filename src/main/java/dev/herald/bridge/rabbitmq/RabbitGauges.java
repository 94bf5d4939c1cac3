package dev.herald.bridge.rabbitmq;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/** Timer step (bean {@code rabbitGauges}): the consumer group's Kafka lag and each consumer queue's depth. */
public final class RabbitGauges implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitGauges.class);

    private final Supplier<BridgeDeclarations> declarations;
    private final CachingConnectionFactory connections;
    private final BridgeMetrics metrics;
    private final KafkaLag lag;

    RabbitGauges(Supplier<BridgeDeclarations> declarations, CachingConnectionFactory connections,
            BridgeMetrics metrics, KafkaLag lag) {
        this.declarations = declarations;
        this.connections = connections;
        this.metrics = metrics;
        this.lag = lag;
    }

    public void measure() {
        try {
            metrics.kafkaLag(lag.measure());
        } catch (Exception e) {
            LOG.debug("RabbitMQ bridge could not measure its Kafka lag: {}", e.getMessage());
        }
        RabbitAdmin admin = new RabbitAdmin(connections);
        for (BridgeConsumer consumer : declarations.get().consumers()) {
            try {
                QueueInformation queue = admin.getQueueInfo(consumer.queue());
                if (queue != null) {
                    metrics.queueDepth(consumer.name(), queue.getMessageCount());
                }
            } catch (RuntimeException e) {
                LOG.debug("RabbitMQ bridge could not read the depth of {}: {}", consumer.queue(), e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        lag.close();
    }
}
