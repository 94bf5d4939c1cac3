package dev.herald.embedded;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server an earlier hub left running on its data directory. The embedded server is a child process
 * that pg_ctl detaches: when the hub's JVM dies without closing it (SIGKILL, the OOM killer), the server lives
 * on, holds the data directory, and the next start would fail waiting for a server that cannot start. Found
 * here from postmaster.pid (its process must still be a postgres), and stopped (fast shutdown; its WAL makes the
 * next start recover) before the new server starts.
 *
 * <p>Why not a watchdog that stops the child with its parent: it would be one more process to ship and to keep
 * alive, and the data directory's own pid file already says everything a restart needs to know.
 */
final class LeftoverPostgres {

    private static final Logger LOG = LoggerFactory.getLogger(LeftoverPostgres.class);
    /** The lock file zonky's EmbeddedPostgres holds while a hub runs on the data directory. */
    private static final String HUB_LOCK = "epg-lock";
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private LeftoverPostgres() {
    }

    static void stopIfAny(Path dataDir) throws IOException {
        Optional<ProcessHandle> server = runningServer(dataDir);
        if (server.isEmpty()) {
            return;
        }
        long pid = server.get().pid();
        if (!hubLockFree(dataDir)) {
            throw new IllegalStateException("the embedded PostgreSQL's data directory " + dataDir + " is in use by "
                    + "another running hub (postgres pid " + pid + "); stop it, or give this hub its own "
                    + "herald.data.dir");
        }
        LOG.warn("A PostgreSQL server left running by an earlier hub that did not stop (killed?) holds {} (pid {}):"
                + " stopping it before starting a new one; it recovers from its write-ahead log", dataDir, pid);
        long started = System.nanoTime();
        signal(pid, "INT"); // fast shutdown: no new connections, running transactions rolled back
        if (!exited(server.get(), STOP_WAIT)) {
            signal(pid, "QUIT"); // immediate shutdown: recovery at the next start
            if (!exited(server.get(), STOP_WAIT)) {
                throw new IllegalStateException("the PostgreSQL left running on " + dataDir + " (pid " + pid
                        + ") did not stop within " + STOP_WAIT.multipliedBy(2).toSeconds() + " s; stop it by hand");
            }
        }
        LOG.info("Stopped the leftover PostgreSQL (pid {}) in {} ms", pid,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** The live postgres process postmaster.pid names, if any (a stale pid file PostgreSQL itself handles). */
    static Optional<ProcessHandle> runningServer(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        long pid;
        try {
            pid = Long.parseLong(lines.isEmpty() ? "" : lines.get(0).strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        // a reused pid belongs to some other program: only a postgres is ours to stop
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(process -> process.info().command().map(command -> command.contains("postgres"))
                        .orElse(false));
    }

    private static boolean hubLockFree(Path dataDir) throws IOException {
        try (FileOutputStream out = new FileOutputStream(dataDir.resolve(HUB_LOCK).toFile());
                FileLock lock = out.getChannel().tryLock()) {
            return lock != null;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return false; // held by this very JVM: a hub here runs on it
        }
    }

    private static void signal(long pid, String signal) throws IOException {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the leftover PostgreSQL", e);
        }
    }

    private static boolean exited(ProcessHandle process, Duration wait) {
        try {
            process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !process.isAlive();
        }
    }
}
