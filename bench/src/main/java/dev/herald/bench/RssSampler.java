package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** Samples VmRSS of one process (the hub's JVM) from /proc every 200 ms: overall and per-phase maximum. */
final class RssSampler implements AutoCloseable {

    private final Path status;
    private final AtomicLong max = new AtomicLong();
    private final AtomicLong phaseMax = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    RssSampler(long pid) {
        this.status = Path.of("/proc", Long.toString(pid), "status");
        this.thread = new Thread(this::loop, "rss-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Current VmRSS in kB, or -1 when the process is gone. */
    long sample() {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    max.accumulateAndGet(kb, Math::max);
                    phaseMax.accumulateAndGet(kb, Math::max);
                    return kb;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // process gone
        }
        return -1;
    }

    double maxMb() {
        return Stats.round(max.get() / 1024.0, 1);
    }

    /** The maximum since the previous call (the phase that just ended), in MB. */
    double endPhaseMb() {
        sample();
        return Stats.round(phaseMax.getAndSet(0) / 1024.0, 1);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
