package dev.herald.bridge.rabbitmq;

import com.rabbitmq.client.BlockedListener;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory.ConfirmType;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.core.task.support.ExecutorServiceAdapter;

/** The bridge's connection to the broker: confirms, returns, the topology declared on connect, blocking seen. */
final class RabbitConnections {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitConnections.class);

    private RabbitConnections() {
    }

    /**
     * Publisher confirms (SIMPLE: the producer waits for each confirm) and returns, handled on the connection's
     * own thread so a return is recorded before the confirm that follows it is seen.
     */
    static CachingConnectionFactory open(String url, ConnectionListener topology, BridgeMetrics metrics) {
        CachingConnectionFactory factory = new CachingConnectionFactory(URI.create(url));
        factory.setPublisherConfirmType(ConfirmType.SIMPLE);
        factory.setPublisherReturns(true);
        ExecutorServiceAdapter sameThread = new ExecutorServiceAdapter(new SyncTaskExecutor());
        factory.setPublisherChannelFactory((channel, executor) -> new QuietReturnsChannel(channel, sameThread));
        factory.setConnectionNameStrategy(f -> "herald-rabbitmq-bridge");
        factory.addConnectionListener(topology);
        factory.addConnectionListener(connection -> connection.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                LOG.warn("RabbitMQ blocks the bridge's publishing: {}", reason);
                metrics.blocked(true);
            }

            @Override
            public void handleUnblocked() {
                LOG.info("RabbitMQ unblocked the bridge's publishing");
                metrics.blocked(false);
            }
        }));
        return factory;
    }
}
