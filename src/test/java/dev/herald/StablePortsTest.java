package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.embedded.ListenPort;
import dev.herald.testing.TestHub;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.component.kafka.KafkaComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The embedded Kafka and AMQP broker keep their ports across restarts (issue 28, item 4): 9092 and 5672 when
 * free; a taken default falls back to any free port, loudly; a taken port named in a setting stops the start.
 */
class StablePortsTest {

    private static final int KAFKA_DEFAULT = 9092;
    private static final int AMQP_DEFAULT = 5672;

    @Test
    void embeddedBrokersListenOnTheSamePortsAfterARestart(@TempDir Path dataDir) {
        // the default (empty) where its port is free here; else a free port named through the setting, as an
        // operator beside a real broker would (RabbitMQ holds 5672 on the CI machine)
        String kafkaSetting = ListenPort.isFree(KAFKA_DEFAULT) ? "" : String.valueOf(TestHub.freePort());
        String amqpSetting = ListenPort.isFree(AMQP_DEFAULT) ? "" : String.valueOf(TestHub.freePort());
        Map<String, String> settings = embedded(dataDir, kafkaSetting, amqpSetting);

        int[] first = ports(settings);
        int[] second = ports(settings);

        System.out.printf("embedded Kafka on %d then %d (setting '%s'), AMQP on %d then %d (setting '%s')%n",
                first[0], second[0], kafkaSetting, first[1], second[1], amqpSetting);
        assertThat(second).containsExactly(first);
        assertThat(first[0]).isEqualTo(kafkaSetting.isEmpty() ? KAFKA_DEFAULT : Integer.parseInt(kafkaSetting));
        assertThat(first[1]).isEqualTo(amqpSetting.isEmpty() ? AMQP_DEFAULT : Integer.parseInt(amqpSetting));
    }

    @Test
    void aTakenDefaultPortFallsBackToAFreeOneAndSaysSo(@TempDir Path dataDir) throws IOException {
        ListAppender<ILoggingEvent> log = capture();
        // 5672 taken: by RabbitMQ on this machine, else by this test
        try (ServerSocket held = holdIfFree(AMQP_DEFAULT)) {
            int[] ports = ports(embedded(dataDir, "0", ""));

            assertThat(ports[1]).isNotEqualTo(AMQP_DEFAULT).isPositive();
            List<String> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(warnings).as("WARN lines of ListenPort").anySatisfy(line -> assertThat(line)
                    .contains("PORT " + AMQP_DEFAULT + " IS TAKEN", "listening on " + ports[1],
                            "herald.rabbitmq.embedded-port"));
        } finally {
            release(log);
        }
    }

    @Test
    void aTakenPortNamedInASettingStopsTheStartNamingTheSetting() throws IOException {
        try (ServerSocket held = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            int port = held.getLocalPort();
            // a database and Kafka that are never reached: the port check comes first, so the start fails at once
            Map<String, String> unreachable = new HashMap<>(Map.of("herald.db.url", "jdbc:postgresql://127.0.0.1:1/none",
                    "herald.kafka.brokers", "127.0.0.1:1", "herald.rabbitmq.url", ""));

            Map<String, String> kafka = new HashMap<>(unreachable);
            kafka.put("herald.kafka.brokers", "");
            kafka.put("herald.kafka.embedded-port", String.valueOf(port));
            assertThatThrownBy(() -> TestHub.startWith(kafka).close())
                    .hasStackTraceContaining("herald.kafka.embedded-port=" + port + ": port " + port + " is already in use");

            Map<String, String> amqp = new HashMap<>(unreachable);
            amqp.put("herald.rabbitmq.embedded-port", String.valueOf(port));
            assertThatThrownBy(() -> TestHub.startWith(amqp).close())
                    .hasStackTraceContaining("herald.rabbitmq.embedded-port=" + port + ": port " + port
                            + " is already in use");
        }
    }

    @Test
    void aBlankBrokersSettingMeansTheEmbeddedKafkaForEveryRoute(@TempDir Path dataDir) {
        // as a compose file passing HERALD_KAFKA_BROKERS= through would; Camel reads -D and the environment before
        // the address Herald gives its embedded Kafka, so the bridges' kafka: consumers must not read the setting
        System.setProperty("herald.kafka.brokers", "");
        try (TestHub hub = TestHub.startWith(embedded(dataDir, "0", "0"))) {
            assertThat(hub.http.get("/observe/health").status()).isEqualTo(200);
            String brokers = hub.camel().getComponent("kafka", KafkaComponent.class).getConfiguration().getBrokers();
            assertThat(brokers).startsWith("127.0.0.1:");
            assertThat(hub.camel().getRouteController().getRouteStatus("rabbitmq-bridge").isStarted()).isTrue();
        } finally {
            System.clearProperty("herald.kafka.brokers");
        }
    }

    /** A hub on embedded PostgreSQL, Kafka and AMQP broker, with these port settings. */
    private static Map<String, String> embedded(Path dataDir, String kafkaPort, String amqpPort) {
        return Map.of("herald.data.dir", dataDir.toString(), "herald.db.url", "", "herald.kafka.brokers", "",
                "herald.rabbitmq.enabled", "true", "herald.rabbitmq.url", "",
                "herald.kafka.embedded-port", kafkaPort, "herald.rabbitmq.embedded-port", amqpPort);
    }

    /** Starts a hub, reads where its embedded Kafka and AMQP broker listen, stops it. */
    private static int[] ports(Map<String, String> settings) {
        try (TestHub hub = TestHub.startWith(settings)) {
            assertThat(hub.http.get("/observe/health").status()).isEqualTo(200);
            String kafka = hub.camel().getPropertiesComponent().resolveProperty("herald.kafka.brokers").orElseThrow();
            String amqp = hub.camel().getPropertiesComponent().resolveProperty("herald.rabbitmq.url").orElseThrow();
            return new int[] {Integer.parseInt(kafka.substring(kafka.lastIndexOf(':') + 1)), URI.create(amqp).getPort()};
        }
    }

    /** Binds 127.0.0.1:port unless something already does (then null: it stays taken all the same). */
    private static ServerSocket holdIfFree(int port) throws IOException {
        if (!ListenPort.isFree(port)) {
            return null;
        }
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        return socket;
    }

    private static ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(ListenPort.class)).addAppender(appender);
        return appender;
    }

    private static void release(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(ListenPort.class)).detachAppender(appender);
    }
}
