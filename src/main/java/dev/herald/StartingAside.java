package dev.herald;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An engine starting on a thread of its own while the hub goes on: the embedded Kafka (its controller, log recovery
 * and JIT warm-up, 3-4 s of a 12 s start on a 2-core machine) and AMQP broker start while PostgreSQL starts and the
 * migrations run, none of which needs them. Owned from the moment it is asked for: closing it waits for the start
 * and stops the engine, so a failure elsewhere in the start leaves no engine running.
 */
final class StartingAside<T extends AutoCloseable> implements AutoCloseable {

    private final CompletableFuture<T> engine = new CompletableFuture<>();

    private StartingAside(String name, Callable<T> start) {
        Thread thread = new Thread(() -> {
            try {
                engine.complete(start.call());
            } catch (Throwable e) {
                engine.completeExceptionally(e);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    static <T extends AutoCloseable> StartingAside<T> start(String name, Callable<T> start) {
        return new StartingAside<>(name, start);
    }

    /** The started engine, or its start's failure as it was thrown. */
    T started() throws Exception {
        try {
            return engine.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : new IllegalStateException(e.getCause());
        }
    }

    /** The engine's class name once it started (for the stop's log line), else this class's. */
    String engineName() {
        return engine.isDone() && !engine.isCompletedExceptionally() ? engine.join().getClass().getSimpleName()
                : StartingAside.class.getSimpleName();
    }

    @Override
    public void close() throws Exception {
        T started;
        try {
            started = engine.get();
        } catch (ExecutionException e) {
            return; // it never started: nothing to stop (its failure is the start's to report)
        }
        started.close();
    }
}
