package io.parley.chat.delivery;

import java.util.ArrayList;
import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;
import java.util.function.ToLongFunction;

/**
 * A hashed timing wheel with one-second slots, confined to one thread (an event loop): each item sits in the slot of
 * the second it is next due, so a tick touches only the items due in the seconds that passed — an idle connection is
 * looked at once per ping interval, not once a second.
 *
 * <p>Each item carries its own due second (read and written through the two functions), so an entry costs one array
 * slot and no allocation. An item due further ahead than the wheel's span waits in its slot for the right round. The
 * visitor decides whether an item comes back (by calling {@link #add}); items are never removed early — a closed
 * connection is dropped when its entry falls due.
 */
final class TimerWheel<T> {

    private final ArrayList<T>[] slots;
    private final int mask;
    private final ToLongFunction<T> dueSecond;
    private final ObjLongConsumer<T> setDueSecond;
    /** The last second whose slot was visited. */
    private long visited;
    private ArrayList<T> spare = new ArrayList<>();
    private int size;

    /** @param span slots, a power of two: the seconds ahead an item is placed without waiting for another round */
    @SuppressWarnings("unchecked")
    TimerWheel(int span, long nowSecond, ToLongFunction<T> dueSecond, ObjLongConsumer<T> setDueSecond) {
        if (Integer.bitCount(span) != 1) {
            throw new IllegalArgumentException("span must be a power of two: " + span);
        }
        this.slots = new ArrayList[span];
        for (int i = 0; i < span; i++) {
            slots[i] = new ArrayList<>();
        }
        this.mask = span - 1;
        this.dueSecond = dueSecond;
        this.setDueSecond = setDueSecond;
        this.visited = nowSecond;
    }

    /** {@code item} is due at {@code second}; a second already visited means the next tick. */
    void add(T item, long second) {
        long due = Math.max(second, visited + 1);
        setDueSecond.accept(item, due);
        slots[(int) (due & mask)].add(item);
        size++;
    }

    /** Visits, in order, every item due in the seconds after the last visit up to {@code nowSecond}. */
    void advance(long nowSecond, Consumer<T> visitor) {
        while (visited < nowSecond) {
            visited++;
            int slot = (int) (visited & mask);
            ArrayList<T> due = slots[slot];
            slots[slot] = spare; // what the visitor adds back to this slot (a later round) goes to the fresh list
            spare = due;
            size -= due.size();
            for (int i = 0; i < due.size(); i++) {
                T item = due.get(i);
                if (dueSecond.applyAsLong(item) > visited) {
                    slots[slot].add(item); // due in a later round of the wheel
                    size++;
                } else {
                    visitor.accept(item);
                }
            }
            due.clear();
        }
    }

    /** Entries held (each item at most once unless added twice). */
    int size() {
        return size;
    }
}
