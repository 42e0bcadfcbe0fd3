package io.parley.chat.gateway;

import java.util.PriorityQueue;

/**
 * When each connection is next due a look for its token's expiry (the warning {@code refresh-ahead} before it, then
 * the close at it): a queue ordered by that second, so the watcher's timer touches only the connections that are due,
 * not every connection four times a second (that sweep was over half of an idle node's event-loop time with 18,000
 * connections open).
 *
 * <p>Entries name the connection by id and are never removed early: a connection that closed, or whose token was
 * renewed, is looked up when its entry falls due and then dropped or put back at its new deadline. An entry is a few
 * dozen bytes and lives at most one token lifetime. Thread-safe (upgrades on every event loop add; one timer polls).
 */
final class ExpiryDeadlines {

    /** A connection due a look at {@code second} (epoch seconds). */
    record Due(long second, String connectionId) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            return Long.compare(second, other.second);
        }
    }

    private final PriorityQueue<Due> queue = new PriorityQueue<>();

    /** {@code connectionId} is looked at again at {@code second} (or at the first poll after it). */
    synchronized void add(long second, String connectionId) {
        queue.add(new Due(second, connectionId));
    }

    /** The next entry due at or before {@code now} (epoch seconds), removed; null when none is due. */
    synchronized Due pollDue(long now) {
        Due next = queue.peek();
        return next == null || next.second() > now ? null : queue.poll();
    }

    synchronized int size() {
        return queue.size();
    }
}
