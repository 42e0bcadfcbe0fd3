package io.parley.chat.store;

import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;

/** One MySQL transaction around plain JDBC work (committed unless it throws). Blocking: worker threads only. */
public final class Transactions {

    /** Runs of a transaction InnoDB rolled back to break a deadlock, before the failure is passed on. */
    private static final int DEADLOCK_ATTEMPTS = 3;

    /** JDBC work that may throw {@link SQLException}. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private Transactions() {
    }

    /**
     * Runs {@code work} in one transaction. A {@link RuntimeException} from the work passes through unchanged
     * (after the rollback); a database failure becomes {@code onFailure}'s exception.
     */
    public static <T> T inTransaction(AgroalDataSource db, SqlWork<T> work, Function<SQLException, RuntimeException> onFailure) {
        // InnoDB breaks a deadlock by rolling one transaction back (SQLSTATE 40001, "try restarting transaction"):
        // e.g. two first touches of one app, each holding the gap lock of its SELECT ... FOR UPDATE. Run it again.
        for (int attempt = 1; ; attempt++) {
            try {
                return once(db, work);
            } catch (SQLException e) {
                if (attempt >= DEADLOCK_ATTEMPTS || !"40001".equals(e.getSQLState())) {
                    throw onFailure.apply(e);
                }
            }
        }
    }

    private static <T> T once(AgroalDataSource db, SqlWork<T> work) throws SQLException {
        try (Connection connection = db.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }
}
