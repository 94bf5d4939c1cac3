package dev.herald.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The multi-instance soak's processes (bench/run --soak --instances N): one Kafka broker of its own, which outlives
 * every hub, and N hubs on one database and that Kafka, each started, killed (SIGKILL), stopped (SIGTERM) and
 * restarted by the soak itself. bench/run gives the hub's command line up to {@code -jar} (--hub-args-file).
 */
final class SoakInstances implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One hub instance: its id (herald.instance.id), HTTP port, data directory and log. */
    record Hub(int index, String id, int port, Path dataDir, Path log) {
        String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    private final Path hubHome;
    private final List<String> command;
    private final List<String> options = new ArrayList<>();
    private final List<Hub> hubs = new ArrayList<>();
    private final Process[] processes;
    private Process kafka;

    /**
     * @param baseCommand java and the hub's options (bench/run's), then {@link #options} (the soak's: proxied
     *                    engines, bridges), then per instance its id, port and data directory, then -jar
     */
    SoakInstances(Path hubHome, List<String> baseCommand, int count, int basePort, Path work) {
        this.hubHome = hubHome;
        this.command = List.copyOf(baseCommand);
        for (int i = 0; i < count; i++) {
            String id = "soak-" + (i + 1);
            hubs.add(new Hub(i, id, basePort + i, work.resolve(id).resolve("data"), work.resolve(id + "-hub.log")));
        }
        this.processes = new Process[count];
    }

    /** The soak's options for every instance (the proxied engines, the bridges), known once its proxies listen. */
    void options(List<String> soakOptions) {
        options.clear();
        options.addAll(soakOptions);
    }

    List<Hub> hubs() {
        return hubs;
    }

    List<String> urls() {
        return hubs.stream().map(Hub::url).toList();
    }

    /**
     * The shared broker, a process of its own from the hub's jar (dev.herald.embedded.KafkaBroker): clients are
     * told to connect at {@code advertisedPort} (the soak's fault proxy). Waits until it listens.
     */
    void startKafka(Path dataDir, int port, int advertisedPort, boolean durable, Path log) throws Exception {
        kafka = new ProcessBuilder(List.of(command.get(0), "-Xmx384m", "-cp", hubHome.resolve("target/herald.jar").toString(),
                "dev.herald.embedded.KafkaBroker", dataDir.toString(), String.valueOf(port),
                String.valueOf(advertisedPort), String.valueOf(durable)))
                .directory(hubHome.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains("Embedded Kafka listening on")) {
                Main.log("soak: Kafka broker pid " + kafka.pid() + " on port " + port + " (clients through " + advertisedPort + ")");
                return;
            }
            if (!kafka.isAlive()) {
                throw new IllegalStateException("the soak's Kafka broker exited (" + kafka.exitValue() + "); see " + log);
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the soak's Kafka broker did not start within 120 s; see " + log);
    }

    void start(int index) throws Exception {
        Hub hub = hubs.get(index);
        Files.createDirectories(hub.dataDir());
        List<String> line = new ArrayList<>(command);
        line.addAll(options);
        line.addAll(List.of("-Dherald.instance.id=" + hub.id(), "-Dherald.http.port=" + hub.port(),
                "-Dherald.data.dir=" + hub.dataDir(), "-jar", "target/herald.jar"));
        processes[index] = new ProcessBuilder(line).directory(hubHome.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(hub.log().toFile())).start();
    }

    /** Until GET /observe/health answers 200; answers the ms it took from {@code since}. */
    long awaitReady(int index, long since, Duration patience) throws Exception {
        Hub hub = hubs.get(index);
        long end = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < end) {
            if (!processes[index].isAlive()) {
                throw new IllegalStateException(hub.id() + " exited (" + processes[index].exitValue() + "); see " + hub.log());
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(hub.url() + "/observe/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
                }
            } catch (Exception notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(hub.id() + " was not ready within " + patience + "; see " + hub.log());
    }

    /** SIGKILL: nothing of the hub runs on, nothing is handed back. */
    void kill(int index) throws InterruptedException {
        processes[index].destroyForcibly();
        processes[index].waitFor();
    }

    /** SIGTERM, then waits for the exit; answers the exit code, or -1 when it had to be killed after {@code patience}. */
    int terminate(int index, Duration patience) throws InterruptedException {
        Process process = processes[index];
        if (process == null || !process.isAlive()) {
            return process == null ? 0 : process.exitValue();
        }
        process.destroy();
        if (process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        process.destroyForcibly();
        process.waitFor();
        return -1;
    }

    long pid(int index) {
        return processes[index] == null ? -1 : processes[index].pid();
    }

    long kafkaPid() {
        return kafka == null ? -1 : kafka.pid();
    }

    boolean alive(int index) {
        return processes[index] != null && processes[index].isAlive();
    }

    /** A counter's value from the instance's /observe/metrics (summed over its series), 0 when it does not answer. */
    double metric(int index, String name) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create(hubs.get(index).url() + "/observe/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return body.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    /** Every hub stopped (SIGTERM), then the broker. */
    @Override
    public void close() throws InterruptedException {
        for (int i = 0; i < processes.length; i++) {
            terminate(i, Duration.ofSeconds(30));
        }
        if (kafka != null) {
            kafka.destroy();
            if (!kafka.waitFor(30, TimeUnit.SECONDS)) {
                kafka.destroyForcibly();
            }
        }
    }
}
