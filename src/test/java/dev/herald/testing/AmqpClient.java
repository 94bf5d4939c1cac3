package dev.herald.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain amqp-client consumer, as a legacy system would run one: manual acks; after the broker dropped its
 * connection, {@link #reconnect()} consumes again (what it had not acknowledged comes again, with the same
 * message_id).
 */
public final class AmqpClient implements AutoCloseable {

    /** One delivery as the consumer saw it. */
    public record Delivery(String queue, String routingKey, AMQP.BasicProperties properties, byte[] body) {
        public String messageId() {
            return properties.getMessageId();
        }

        public Object header(String name) {
            Map<String, Object> headers = properties.getHeaders();
            Object value = headers == null ? null : headers.get(name);
            return value == null ? null : value.toString();
        }

        public String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final ConnectionFactory factory = new ConnectionFactory();
    private final Map<String, List<Delivery>> received = new ConcurrentHashMap<>();
    private volatile Connection connection;
    private volatile Channel channel;

    public AmqpClient(String url) {
        try {
            factory.setUri(url);
            factory.setAutomaticRecoveryEnabled(false);
        } catch (Exception e) {
            throw new IllegalStateException("bad AMQP URL " + url, e);
        }
        connect();
    }

    private void connect() {
        try {
            connection = factory.newConnection("herald-test-consumer");
            channel = connection.createChannel();
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to the AMQP broker", e);
        }
    }

    /** A new connection consuming the same queues, keeping what was received so far. */
    public void reconnect() throws IOException {
        close();
        connect();
        for (String queue : received.keySet()) {
            consume(queue);
        }
    }

    /**
     * Starts consuming the queue, on a channel of its own (a consumer that cannot recover must not take the
     * others down); everything delivered is kept, in arrival order, and acknowledged.
     */
    public void consume(String queue) throws IOException {
        List<Delivery> deliveries = received.computeIfAbsent(queue, q -> new CopyOnWriteArrayList<>());
        Channel own = connection.createChannel();
        own.basicConsume(queue, false, new DefaultConsumer(own) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                deliveries.add(new Delivery(queue, envelope.getRoutingKey(), properties, body));
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        });
    }

    public List<Delivery> received(String queue) {
        return List.copyOf(received.getOrDefault(queue, List.of()));
    }

    public Channel channel() {
        return channel;
    }

    /** Deletes queues and exchanges a test made, so reruns on a shared broker start clean. */
    public void deleteQuietly(List<String> queues, List<String> exchanges) {
        queues.forEach(queue -> quietly(channel -> channel.queueDelete(queue)));
        exchanges.forEach(exchange -> quietly(channel -> channel.exchangeDelete(exchange)));
    }

    /** Each on its own channel: a broker error closes the channel it happened on. */
    private void quietly(ChannelAction action) {
        try (Channel own = connection.createChannel()) {
            action.run(own);
        } catch (Exception e) {
            // already gone
        }
    }

    private interface ChannelAction {
        void run(Channel channel) throws IOException;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
    }
}
