package io.parley.common.id;

import io.smallrye.mutiny.Uni;
import java.time.Clock;

/**
 * Allocates 34-character ids locally from leased sequence blocks. The time part never goes backwards
 * (a clock stepped back keeps the last second until it catches up), so ids from one generator
 * increase for a given user.
 */
public final class Id34Generator {

    private final SequenceAllocator sequences;
    private final Clock clock;
    private long prefixSecond = Long.MIN_VALUE;
    private char[] prefix;

    public Id34Generator(SequenceAllocator sequences, Clock clock) {
        this.sequences = sequences;
        this.clock = clock;
    }

    /** One id, or {@code null} when no sequence number is at hand without waiting. */
    public String tryNext(long user) {
        long sequence = sequences.tryNext();
        return sequence < 0 ? null : Id34.format(currentPrefix(), user, sequence);
    }

    public Uni<String> next(long user) {
        return sequences.next().map(sequence -> Id34.format(currentPrefix(), user, sequence));
    }

    public Uni<String[]> next(long user, int count) {
        return sequences.next(count).map(numbers -> {
            char[] time = currentPrefix();
            String[] ids = new String[numbers.length];
            for (int i = 0; i < numbers.length; i++) {
                ids[i] = Id34.format(time, user, numbers[i]);
            }
            return ids;
        });
    }

    private synchronized char[] currentPrefix() {
        long second = Math.floorDiv(clock.millis(), 1000);
        if (second > prefixSecond) {
            prefixSecond = second;
            prefix = Id34.timePrefix(second);
        }
        return prefix;
    }
}
