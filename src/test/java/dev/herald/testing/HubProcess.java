package dev.herald.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/** The hub as a child JVM (the test's classpath, dev.herald.Herald), so a test can SIGKILL it. */
public final class HubProcess implements AutoCloseable {

    private final Process process;
    public final HttpApi http;

    private HubProcess(Process process, int port) {
        this.process = process;
        this.http = new HttpApi("http://127.0.0.1:" + port);
    }

    /** Starts a hub with these settings (as -D options) and waits until /observe/health answers 200. */
    public static HubProcess start(Map<String, String> settings, int port, Path log) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path")));
        // like TestHub: no RabbitMQ bridge unless the settings turn it on (a later -D wins)
        command.add("-Dherald.rabbitmq.enabled=false");
        command.add("-Dherald.security.anonymous-rate-limit=0");
        // embedded engines on any free port, as in TestHub, unless the settings name one
        command.add("-Dherald.kafka.embedded-port=0");
        command.add("-Dherald.rabbitmq.embedded-port=0");
        // a webhook consumer group per hub (the same across its restarts), as in TestHub
        command.add("-Dherald.webhooks.consumer-group=herald-webhooks-" + port);
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-Dherald.http.host=127.0.0.1");
        command.add("-Dherald.http.port=" + port);
        command.add("dev.herald.Herald");
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).directory(new File("."))
                    .start();
            HubProcess hub = new HubProcess(process, port);
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> hub.healthy() || !process.isAlive());
            if (!process.isAlive()) {
                throw new IllegalStateException("hub process exited with " + process.exitValue() + "; see " + log);
            }
            return hub;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean healthy() {
        try {
            return http.get("/observe/health").status() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * SIGTERM (what systemd, Docker and Kubernetes send), then waits for the process to exit: how long it took,
     * or an error if it is still running after {@code atMost} (then it is killed).
     */
    public java.time.Duration terminate(java.time.Duration atMost) throws InterruptedException {
        long sent = System.nanoTime();
        process.destroy();
        if (!process.waitFor(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            kill();
            throw new IllegalStateException("hub still running " + atMost + " after SIGTERM; killed");
        }
        return java.time.Duration.ofNanos(System.nanoTime() - sent);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The hub's threads ({@code jcmd Thread.print}) in {@code file}, for a test that found the hub stuck. */
    public Path threadDump(Path file) throws java.io.IOException, InterruptedException {
        new ProcessBuilder("jcmd", String.valueOf(process.pid()), "Thread.print").redirectErrorStream(true)
                .redirectOutput(file.toFile()).start().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        return file;
    }

    /** SIGTERM, without waiting: the test watches what the hub does while it stops. */
    public void signalTerm() {
        process.destroy();
    }

    /** The exit status, once the process has exited within {@code atMost}. */
    public int exitStatus(java.time.Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("hub still running " + atMost + " after SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush, nothing closed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            kill();
        }
    }
}
