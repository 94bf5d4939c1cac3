package dev.herald.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The soak's RabbitMQ sink: the hub's bridge publishes through a {@link FaultProxy} to the machine's broker, on
 * exchanges and a queue of this run only (so nothing else publishing there can look like a phantom); the
 * checker drains the queue directly, by message_id, and deletes what the run declared.
 */
final class SoakRabbit implements AutoCloseable {

    private final URI broker;
    private final FaultProxy proxy;
    private final String prefix;

    private SoakRabbit(URI broker, String prefix) throws Exception {
        this.broker = broker;
        this.prefix = prefix;
        proxy = new FaultProxy("rabbitmq", broker.getHost(), broker.getPort() > 0 ? broker.getPort() : 5672);
    }

    /** The sink, or null when no broker answers at {@code amqpUrl} (the soak then leaves the bridge out). */
    static SoakRabbit open(String amqpUrl, String prefix) {
        try (Connection probe = factory(amqpUrl).newConnection("herald-soak-probe")) {
            return new SoakRabbit(URI.create(amqpUrl), prefix);
        } catch (Exception e) {
            Main.log("soak: no RabbitMQ at " + amqpUrl + " (" + e.getMessage() + "): the RabbitMQ bridge is left out");
            return null;
        }
    }

    FaultProxy proxy() {
        return proxy;
    }

    private String queue() {
        return prefix + ".queue";
    }

    private List<String> exchanges() {
        return List.of(prefix + ".events", prefix + ".legacy", prefix + ".dlx");
    }

    /** The hub's settings: the broker through the proxy, this run's exchanges, one queue bound to every event. */
    List<String> hubOptions(Path workDir) throws Exception {
        Path consumers = workDir.resolve("soak-rabbitmq-consumers.yaml");
        Files.writeString(consumers, "consumers:\n  - { name: soak, queue: " + queue()
                + ", format: cloudevents, bindings: [ \"#\" ] }\n");
        String proxied = broker.toString().replace(broker.getHost() + ":" + broker.getPort(),
                "127.0.0.1:" + proxy.port());
        return List.of("-Dherald.rabbitmq.enabled=true", "-Dherald.rabbitmq.url=" + proxied,
                "-Dherald.rabbitmq.consumers-file=" + consumers, "-Dherald.rabbitmq.exchange=" + exchanges().get(0),
                "-Dherald.rabbitmq.legacy-exchange=" + exchanges().get(1),
                "-Dherald.rabbitmq.dead-letter-exchange=" + exchanges().get(2));
    }

    /** Reads the queue until every event arrived or nothing came for {@code stall}. */
    void check(SinkCheck sink, Duration stall) throws Exception {
        BlockingQueue<String> arrivals = new LinkedBlockingQueue<>();
        try (Connection connection = factory(broker.toString()).newConnection("herald-soak-check")) {
            Channel channel = connection.createChannel();
            channel.basicQos(1000);
            channel.basicConsume(queue(), true, (tag, message) ->
                    arrivals.add(String.valueOf(message.getProperties().getMessageId())), tag -> { });
            while (!sink.complete()) {
                String id = arrivals.poll(stall.toMillis(), TimeUnit.MILLISECONDS);
                if (id == null) {
                    break;
                }
                sink.receive(id);
            }
        }
    }

    @Override
    public void close() throws Exception {
        proxy.close();
        try (Connection connection = factory(broker.toString()).newConnection("herald-soak-cleanup")) {
            Channel channel = connection.createChannel();
            channel.queueDelete(queue());
            channel.queueDelete(queue() + ".dlq");
            for (String exchange : exchanges()) {
                channel.exchangeDelete(exchange);
            }
        }
    }

    private static ConnectionFactory factory(String amqpUrl) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(amqpUrl);
        factory.setConnectionTimeout(5000);
        return factory;
    }
}
