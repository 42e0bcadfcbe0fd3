package io.parley.chat.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A connection on its way in: the node subscribed to everything addressed to the user before the upgrade
 * completed, and until the socket is registered the messages that arrive for it are kept here, then written to it
 * first (Centrifugo's "subscribe, then close the gap"). So live delivery starts with the {@code 101}, not with the
 * end of the connection's setup. Transient frames (typing, presence) are not kept.
 *
 * <p>Created by {@link LocalConnections#expect}, ended by {@link LocalConnections#register} (claimed) or
 * {@link LocalConnections#abandon} (the upgrade did not complete).
 */
public final class Arrival {

    /** A message that arrived before the connection was registered. */
    record Held(String conversation, long seq, SharedFrame frame) {
    }

    private final long userId;
    /** The user's groups: as read before the upgrade, then changed by join/leave announcements meanwhile. */
    private final Set<String> groups = ConcurrentHashMap.newKeySet();
    private final int capacity;
    private List<Held> held = new ArrayList<>();
    private boolean overflowed;
    private boolean ended;

    Arrival(long userId, Iterable<String> groups, int capacity) {
        this.userId = userId;
        this.capacity = capacity;
        groups.forEach(this.groups::add);
    }

    public long userId() {
        return userId;
    }

    Set<String> groups() {
        return groups;
    }

    /** Keeps a message for the connection; false once it was claimed or abandoned (it is then delivered live). */
    synchronized boolean hold(String conversation, long seq, SharedFrame frame) {
        if (ended) {
            return false;
        }
        if (held.size() < capacity) {
            held.add(new Held(conversation, seq, frame));
        } else {
            overflowed = true;
        }
        return true;
    }

    /** Ends holding; returns what was held, or {@code null} if more arrived than it could hold (or it had ended). */
    synchronized List<Held> end() {
        if (ended) {
            return null;
        }
        ended = true;
        List<Held> out = overflowed ? null : held;
        held = List.of();
        return out;
    }
}
