package dev.herald.bridge.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Return;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.springframework.amqp.rabbit.connection.PublisherCallbackChannelImpl;

/**
 * Spring's publisher channel, without its internal header on the wire. A template publishing with the mandatory
 * flag adds {@code spring_listener_return_correlation} (its own id) to every message so that a return finds the
 * template again; consumers would see it on every message Herald bridges. Here the header is taken off before the
 * publish and put back on a return: every template of the bridge's component hands returns to the same callback
 * (see {@link ReturningRabbitComponent}), so any of them registered on the channel serves; a template without that
 * callback (a RabbitAdmin's, using the same cached channels) never takes a return.
 */
final class QuietReturnsChannel extends PublisherCallbackChannelImpl {

    private volatile String listener;

    QuietReturnsChannel(Channel delegate, ExecutorService executor) {
        super(delegate, executor);
    }

    @Override
    public synchronized void addListener(Listener listener) {
        if (ReturningRabbitComponent.recordsReturns(listener.getUUID())) {
            this.listener = listener.getUUID();
        }
        super.addListener(listener);
    }

    @Override
    public void basicPublish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties,
            byte[] body) throws IOException {
        super.basicPublish(exchange, routingKey, mandatory, withoutListener(properties), body);
    }

    @Override
    public void basicPublish(String exchange, String routingKey, boolean mandatory, boolean immediate,
            AMQP.BasicProperties properties, byte[] body) throws IOException {
        super.basicPublish(exchange, routingKey, mandatory, immediate, withoutListener(properties), body);
    }

    @Override
    public void handle(Return returned) {
        // the client decodes a return's headers into a map of its own, which Spring edits too
        Map<String, Object> headers = returned.getProperties().getHeaders();
        if (listener != null && headers != null) {
            headers.putIfAbsent(RETURN_LISTENER_CORRELATION_KEY, listener);
        }
        super.handle(returned);
    }

    private static AMQP.BasicProperties withoutListener(AMQP.BasicProperties properties) {
        Map<String, Object> headers = properties == null ? null : properties.getHeaders();
        if (headers == null || !headers.containsKey(RETURN_LISTENER_CORRELATION_KEY)) {
            return properties;
        }
        Map<String, Object> kept = new HashMap<>(headers);
        kept.remove(RETURN_LISTENER_CORRELATION_KEY);
        return properties.builder().headers(kept).build();
    }
}
