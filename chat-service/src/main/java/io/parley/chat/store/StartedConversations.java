package io.parley.chat.store;

/**
 * Where a conversation sits in its bucket's filter of started conversations ({@link RedisKeys#startedFilter}): a
 * Bloom filter, one Redis bitmap of {@code bits} bits per bucket, {@value #POSITIONS} bits per conversation.
 *
 * <p>Seq counters leave Redis with a quiet conversation's log. A missing counter is then either a new conversation
 * (seq 1, nothing to ask) or one that had messages (only MySQL knows its last seq). The filter tells them apart
 * without a key per conversation: a conversation it does not hold is certainly new; one it holds may have had
 * messages, and its floor is read from MySQL — a false positive costs one query, never a wrong seq. Its memory is
 * fixed ({@code bits / 8} bytes per bucket); the false-positive rate grows with the conversations that ever went quiet
 * (about 1.7 % at one per ten bits).
 *
 * <p>The positions are computed here rather than in Lua (which has no cheap hash) from a 64-bit FNV-1a of the id,
 * mixed (SplitMix64's finaliser) and split by double hashing. {@link String#hashCode} would not do: it already chose the
 * bucket, so within a bucket it is far from random.
 */
public final class StartedConversations {

    /** Bits per conversation. */
    public static final int POSITIONS = 3;

    /** Redis bitmaps end at 2^32 bits (512 MiB). */
    public static final long MAX_BITS = 1L << 32;

    private StartedConversations() {
    }

    /** The conversation's positions in a filter of {@code bits} bits, as the scripts take them. */
    public static String[] positions(String conversation, long bits) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < conversation.length(); i++) {
            hash = (hash ^ conversation.charAt(i)) * 0x100000001b3L;
        }
        long h1 = mix(hash);
        long h2 = mix(h1 ^ 0x9e3779b97f4a7c15L) | 1;
        String[] out = new String[POSITIONS];
        for (int i = 0; i < POSITIONS; i++) {
            out[i] = Long.toString(Math.floorMod(h1 + i * h2, bits));
        }
        return out;
    }

    /** Rejects a size Redis cannot hold or that would make the filter useless. */
    public static long checkedBits(long bits) {
        if (bits < 1024 || bits > MAX_BITS) {
            throw new IllegalArgumentException("parley.chat.persistence.started-filter-bits must be between 1024 and "
                    + MAX_BITS + " (a Redis bitmap's limit), not " + bits);
        }
        return bits;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
