package io.parley.common.retention;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * One round of a retention purge: expired rows deleted a small batch at a time, each batch its own short
 * (autocommitted) statement so no table lock or long transaction holds up the writers, with a pause between
 * batches so a large backlog is worked off gently. A MySQL named lock ({@code GET_LOCK}, held by the round's
 * connection) lets one replica purge at a time; the others skip the round. Blocking: a background thread only.
 */
public final class BatchedPurge {

    /** What one batch did: rows looked at (fewer than the limit: nothing more is due) and rows deleted. */
    public record Batch(int examined, int deleted) {
    }

    /** One batch of at most {@code limit} rows, on the round's connection (autocommit). */
    @FunctionalInterface
    public interface BatchStep {
        Batch next(Connection connection, int limit) throws SQLException;
    }

    /** What a round did; {@code skipped} when another replica held the lock. */
    public record Round(boolean skipped, long deleted, int batches, boolean more) {
    }

    private final DataSource db;
    private final String lockName;
    private final int batchSize;
    private final int maxBatches;
    private final Duration pause;

    /**
     * @param lockName   the MySQL named lock shared by every replica of the purge
     * @param batchSize  rows per batch
     * @param maxBatches batches per round at most (the rest waits for the next round)
     * @param pause      between two batches
     */
    public BatchedPurge(DataSource db, String lockName, int batchSize, int maxBatches, Duration pause) {
        if (batchSize < 1 || maxBatches < 1) {
            throw new IllegalArgumentException("batch size and batches per round must be at least 1");
        }
        this.db = Objects.requireNonNull(db);
        this.lockName = Objects.requireNonNull(lockName);
        this.batchSize = batchSize;
        this.maxBatches = maxBatches;
        this.pause = Objects.requireNonNull(pause);
    }

    /** Runs batches until one finds nothing more, {@code maxBatches} ran, or {@code keepGoing} says stop. */
    public Round run(BatchStep step, BooleanSupplier keepGoing) throws SQLException {
        try (Connection connection = db.getConnection()) {
            connection.setAutoCommit(true);
            if (!lock(connection, "SELECT GET_LOCK(?, 0)")) {
                return new Round(true, 0, 0, false);
            }
            try {
                long deleted = 0;
                int batches = 0;
                boolean more = true;
                while (more && batches < maxBatches && keepGoing.getAsBoolean()) {
                    if (batches > 0 && !pause.isZero()) {
                        LockSupport.parkNanos(pause.toNanos()); // pacing, so the purge never crowds out the writers
                    }
                    Batch batch = step.next(connection, batchSize);
                    batches++;
                    deleted += batch.deleted();
                    more = batch.examined() >= batchSize;
                }
                return new Round(false, deleted, batches, more);
            } finally {
                lock(connection, "SELECT RELEASE_LOCK(?)");
            }
        }
    }

    private boolean lock(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, lockName);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() && rows.getInt(1) == 1;
            }
        }
    }
}
