package dev.herald.publish;

import dev.herald.command.Command;
import dev.herald.command.CommandResult;
import dev.herald.command.Unavailable;
import dev.herald.observe.PublishMeters;
import dev.herald.store.EventStore;
import dev.herald.trace.Traces;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Where accepted commands are stored and published. Commands of one aggregate always go to the same lane,
 * so they are applied and published in order; different aggregates spread over lanes and batches.
 */
public final class GroupCommitter implements AutoCloseable {

    /** A lane begins its next Kafka transaction right after the last commit: see the publisher's method. */
    private static final Duration BUSY_TRANSACTION_RETRY = Duration.ofMillis(2);

    private final PublishSettings settings;
    private final List<Lane> lanes = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final PublishedMarker marker;
    /**
     * Events a lane could not hand to the relay (see Lane), with their traceparents for the line of their release:
     * released by the next batch of any lane.
     */
    private final Map<UUID, String> stranded = new ConcurrentHashMap<>();

    public GroupCommitter(DataSource dataSource, EventStore store, PublishSettings settings, PublishMeters meters,
            Traces traces) {
        this.settings = settings;
        this.marker = new PublishedMarker(dataSource);
        for (int i = 0; i < settings.lanes(); i++) {
            String name = "lane-" + i;
            TransactionalPublisher publisher = new TransactionalPublisher(settings.brokers(),
                    settings.instanceId() + "-" + name, settings.timeout())
                    .retryingBusyTransactionsAfter(BUSY_TRANSACTION_RETRY);
            // its producer starts with the first eager command: none for a hub without them
            TransactionalPublisher afterCommit = TransactionalPublisher.withoutTransactions(settings.brokers(),
                    settings.instanceId() + "-" + name + "-eager", settings.timeout());
            Lane lane = new Lane(name, dataSource, store, publisher, afterCommit, settings, marker, meters, traces,
                    stranded);
            lanes.add(lane);
            // not Camel's pool: a lane loops until close() drains it, after Camel's stop has shut its pools
            Thread thread = new Thread(lane, "herald-" + name);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Blocks until the command is committed (and published, in sync mode) or refused. */
    public CommandResult submit(Command command) {
        PendingCommand pending = new PendingCommand(command);
        // a fresh aggregate has no order to keep, but repeats of one Idempotency-Key must meet in one lane
        String key = command.declaration().newAggregate() && command.idempotencyKey() != null
                ? "key/" + command.idempotencyKey()
                : command.aggregateKey();
        Lane lane = lanes.get(Math.floorMod(key.hashCode(), lanes.size()));
        if (!lane.offer(pending)) {
            throw new Unavailable(Unavailable.Reason.OVERLOADED, "too many commands are waiting; nothing was kept",
                    null);
        }
        return pending.await(settings.timeout().multipliedBy(2));
    }

    @Override
    public void close() throws InterruptedException {
        lanes.forEach(Lane::stop);
        for (Thread thread : threads) {
            thread.join(settings.timeout().multipliedBy(2).toMillis());
        }
        marker.close();
    }
}
