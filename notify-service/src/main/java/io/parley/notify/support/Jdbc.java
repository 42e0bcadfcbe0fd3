package io.parley.notify.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Small JDBC helpers shared by the repositories. */
public final class Jdbc {

    private Jdbc() {
    }

    /** Sets a statement's parameters. */
    @FunctionalInterface
    public interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Reads one row. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Runs one INSERT/UPDATE/DELETE on its own connection; returns the rows changed. */
    public static int update(DataSource db, String what, String sql, Binder binder) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Runs one SELECT on its own connection; returns every row, read by {@code reader}. */
    public static <T> List<T> query(DataSource db, String what, String sql, Binder binder, RowReader<T> reader) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(reader.read(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** A failure of the database, as an unchecked exception (answered 500 and logged once). */
    public static IllegalStateException failure(String what, SQLException e) {
        return new IllegalStateException(what + " failed: " + e.getMessage(), e);
    }

    /** Whether the statement broke a unique key (MySQL/MariaDB error 1062). */
    public static boolean isDuplicate(SQLException e) {
        return e instanceof SQLIntegrityConstraintViolationException || e.getErrorCode() == 1062;
    }

    public static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    public static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
