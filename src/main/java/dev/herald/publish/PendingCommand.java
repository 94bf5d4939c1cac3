package dev.herald.publish;

import dev.herald.command.Command;
import dev.herald.command.CommandResult;
import dev.herald.command.Unavailable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A command waiting in a lane. The waiting request and the lane race for it exactly once: the lane claims it
 * just before committing, the request abandons it when its deadline passes. Whoever wins decides, so a client
 * that heard 503 can never have its command committed afterwards.
 */
final class PendingCommand {

    private static final int WAITING = 0;
    private static final int CLAIMED = 1;
    private static final int ABANDONED = 2;

    final Command command;
    private final CompletableFuture<CommandResult> outcome = new CompletableFuture<>();
    private final AtomicInteger state = new AtomicInteger(WAITING);

    PendingCommand(Command command) {
        this.command = command;
    }

    /** Not answered yet (an idempotent replay may already be). */
    boolean isOpen() {
        return !outcome.isDone();
    }

    boolean isAbandoned() {
        return state.get() == ABANDONED;
    }

    boolean claim() {
        return state.compareAndSet(WAITING, CLAIMED) || state.get() == CLAIMED;
    }

    void succeed(CommandResult result) {
        outcome.complete(result);
    }

    void fail(RuntimeException problem) {
        outcome.completeExceptionally(problem);
    }

    CommandResult await(Duration deadline) {
        try {
            try {
                return outcome.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (state.compareAndSet(WAITING, ABANDONED)) {
                    throw new Unavailable(Unavailable.Reason.PUBLISH_TIMEOUT, "the command was not published within "
                            + deadline.toMillis() + " ms; nothing was kept", null);
                }
                return outcome.get(); // claimed: the lane is committing, its answer is moments away
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(Unavailable.Reason.INTERRUPTED, "the hub is shutting down", e);
        }
    }
}
