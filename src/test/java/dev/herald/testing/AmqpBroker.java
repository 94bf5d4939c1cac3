package dev.herald.testing;

import dev.herald.embedded.EmbeddedAmqpBroker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The AMQP broker of the tests: the real RabbitMQ named by HERALD_TEST_RABBITMQ_URL (.ci/run sets it), else
 * the embedded one the hub itself would run. Both can drop every client connection, the outage tests use.
 */
public abstract class AmqpBroker implements AutoCloseable {

    public abstract String url();

    /** Closes every client connection on the broker (clients reconnect; nothing queued is lost). */
    public abstract void closeAllConnections();

    @Override
    public void close() {
    }

    static AmqpBroker start(Path workDir) {
        String external = System.getenv("HERALD_TEST_RABBITMQ_URL");
        if (external != null && !external.isBlank()) {
            return new RabbitMqServer(external);
        }
        EmbeddedAmqpBroker broker = new EmbeddedAmqpBroker(workDir, 0, 0).start();
        return new AmqpBroker() {
            @Override
            public String url() {
                return broker.url();
            }

            @Override
            public void closeAllConnections() {
                broker.closeAllConnections();
            }

            @Override
            public void close() {
                broker.close();
            }
        };
    }

    /** A RabbitMQ server on this machine, managed with rabbitmqctl. */
    private static final class RabbitMqServer extends AmqpBroker {
        private final String url;

        RabbitMqServer(String url) {
            this.url = url;
        }

        @Override
        public String url() {
            return url;
        }

        @Override
        public void closeAllConnections() {
            try {
                Process process = new ProcessBuilder("rabbitmqctl", "close_all_connections", "test")
                        .redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes());
                if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IllegalStateException("rabbitmqctl close_all_connections failed: " + output);
                }
            } catch (IOException e) {
                throw new IllegalStateException("rabbitmqctl is needed with HERALD_TEST_RABBITMQ_URL", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
