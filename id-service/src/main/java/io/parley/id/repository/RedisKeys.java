package io.parley.id.repository;

/**
 * Every Redis key id-service touches, built in one place.
 * <ul>
 *   <li>{@code parley:id:seq} — the global sequence counter behind 34-character ids and leased blocks
 *       ({@code INCRBY}).</li>
 *   <li>{@code parley:id:{worker:N}:lease} — who holds Snowflake worker id N (the holder's instance id, with a
 *       TTL).</li>
 *   <li>{@code parley:id:{worker:N}:hwm} — the high-water mark of worker id N: an epoch-millisecond bound on
 *       every timestamp its holders have issued or reserved. Kept without TTL (at most 1,024 small keys).</li>
 *   <li>{@code {parley:id:seq}:writer}, {@code parley:id:{worker:N}:writer} — the run_id of the Redis process that
 *       last vouched for the counter / the high-water mark (see "Across a Redis loss" in id-service/README.md).</li>
 *   <li>{@code parley:id:workers:held} — a set of the worker ids ever leased: where high-water marks are, so a
 *       replica takes one of those (no fence) before a fresh one. Only a hint: the lease script checks the mark.</li>
 * </ul>
 * The lease and high-water mark of one worker id are read and written together by one script, so they share
 * the hash tag {@code {worker:N}} and land on the same Redis Cluster shard.
 */
public final class RedisKeys {

    public static final String SEQUENCE = "parley:id:seq";
    public static final String WORKERS_HELD = "parley:id:workers:held";

    private RedisKeys() {
    }

    public static String workerLease(int workerId) {
        return "parley:id:{worker:" + workerId + "}:lease";
    }

    public static String workerHighWaterMark(int workerId) {
        return "parley:id:{worker:" + workerId + "}:hwm";
    }

    /**
     * The run_id of the Redis process that last set worker id N's high-water mark at an acquisition: a mark another
     * process wrote (a promoted replica that was behind, a restart that lost writes) is fenced like a missing one.
     */
    public static String workerWriter(int workerId) {
        return "parley:id:{worker:" + workerId + "}:writer";
    }

    /**
     * The run_id of the Redis process that last re-seeded or checked {@link #SEQUENCE}; its hash tag is the counter's
     * whole name, so both land on the same Cluster slot.
     */
    public static final String SEQUENCE_WRITER = "{" + SEQUENCE + "}:writer";
}
