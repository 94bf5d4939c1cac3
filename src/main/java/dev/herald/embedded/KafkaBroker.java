package dev.herald.embedded;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded Kafka broker as a process of its own, for several hub instances sharing one Kafka that must outlive
 * any of them (bench/run --soak --instances N kills and restarts hubs; a broker inside one of them would go with
 * it). Runs until SIGTERM:
 * {@code java -cp target/herald.jar dev.herald.embedded.KafkaBroker <data dir> <port> [advertised port] [durable]}.
 */
public final class KafkaBroker {

    private KafkaBroker() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: KafkaBroker <data dir> <port> [advertised port, 0 = none] [durable: true|false]");
            System.exit(2);
        }
        EmbeddedKafka kafka = new EmbeddedKafka(Path.of(args[0]), Integer.parseInt(args[1]))
                .advertising(args.length > 2 ? Integer.parseInt(args[2]) : 0)
                .durable(args.length <= 3 || Boolean.parseBoolean(args[3]));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.stop();
            stopped.countDown();
        }, "kafka-broker-stop"));
        kafka.start(); // logs "Embedded Kafka listening on <host:port>", which the soak waits for
        stopped.await();
    }
}
