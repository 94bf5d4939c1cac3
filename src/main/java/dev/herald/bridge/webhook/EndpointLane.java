package dev.herald.bridge.webhook;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One endpoint's side of the dispatcher: deliveries claimed ahead (each the head of its aggregate's line, so
 * any order among them is fine) wait here for one of the endpoint's in-flight slots. An answer frees a slot
 * and the next goes at once, without a trip to the database.
 */
final class EndpointLane {

    private final Deque<Claimed> waiting = new ArrayDeque<>();
    private int open;
    private Endpoint endpoint;

    synchronized void add(Claimed delivery, Endpoint latest) {
        waiting.add(delivery);
        endpoint = latest;
    }

    synchronized Endpoint endpoint() {
        return endpoint;
    }

    /** The deliveries that may go now (up to {@code cap} open at once), oldest first; they count as open. */
    synchronized List<Claimed> take(int cap) {
        List<Claimed> now = new ArrayList<>();
        while (open < cap && !waiting.isEmpty()) {
            now.add(waiting.poll());
            open++;
        }
        return now;
    }

    synchronized void answered() {
        open--;
    }

    /** Claimed and not yet answered: what the next claim must leave room for. */
    synchronized int held() {
        return open + waiting.size();
    }

    synchronized int waiting() {
        return waiting.size();
    }
}
