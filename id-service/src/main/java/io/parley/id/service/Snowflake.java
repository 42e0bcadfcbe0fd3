package io.parley.id.service;

import java.time.Instant;

/**
 * The 64-bit Snowflake layout: sign bit 0, 41 bits of milliseconds since {@link #EPOCH} (good until 2093),
 * 10 bits of worker id (0..1023), 12 bits of sequence (4,096 ids per millisecond per worker). Ids of one worker
 * compare in issue order as numbers.
 */
public final class Snowflake {

    /** 2024-01-01T00:00:00Z. */
    public static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");
    public static final long EPOCH_MILLIS = EPOCH.toEpochMilli();

    static final int WORKER_BITS = 10;
    static final int SEQUENCE_BITS = 12;
    public static final int MAX_WORKER = (1 << WORKER_BITS) - 1;
    public static final int MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1;
    static final long MAX_TIME = (1L << 41) - 1;

    private Snowflake() {
    }

    /** The parts of a Snowflake id; {@code timestamp} in epoch milliseconds. */
    public record Parts(long timestamp, int worker, int sequence) {
    }

    /** Composes an id from an epoch-millisecond timestamp, a worker id and a sequence number. */
    public static long compose(long epochMillis, int worker, int sequence) {
        long time = epochMillis - EPOCH_MILLIS;
        if (time < 0 || time > MAX_TIME) {
            throw new IllegalArgumentException("timestamp " + epochMillis + " is outside the Snowflake range");
        }
        return (time << (WORKER_BITS + SEQUENCE_BITS)) | ((long) worker << SEQUENCE_BITS) | sequence;
    }

    /** The parts of an id; any positive long decodes. */
    public static Parts decode(long id) {
        if (id <= 0) {
            throw new IllegalArgumentException("a Snowflake id is positive");
        }
        return new Parts((id >>> (WORKER_BITS + SEQUENCE_BITS)) + EPOCH_MILLIS,
                (int) ((id >>> SEQUENCE_BITS) & MAX_WORKER), (int) (id & MAX_SEQUENCE));
    }

    /** Whether an epoch-millisecond timestamp fits the 41-bit time field. */
    static boolean inRange(long epochMillis) {
        long time = epochMillis - EPOCH_MILLIS;
        return time >= 0 && time <= MAX_TIME;
    }
}
