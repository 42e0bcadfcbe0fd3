package io.parley.chat.topics;

import io.agroal.api.AgroalDataSource;
import io.parley.chat.store.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * An app's topic access in MySQL ({@code app_access}, {@code app_grants}): the truth the Redis copy is rebuilt from
 * when Redis lost it. Plain JDBC. Blocking: worker threads only.
 */
@ApplicationScoped
public class AppAccessRepository {

    /** Rows per multi-row insert of grants. */
    private static final int INSERT_CHUNK = 1000;

    /** What MySQL holds of an app: {@code known} false when the app has no row yet (never changed since upgrade). */
    public record Stored(boolean known, boolean open, List<Long> grants) {
    }

    /** What Redis held before MySQL kept access (the first change after an upgrade copies it over). */
    public record Legacy(boolean open, Set<Long> grants) {
    }

    /** A change to one app's access, made inside a transaction holding the app's row. */
    @FunctionalInterface
    public interface Change {
        void apply(Connection connection) throws SQLException;
    }

    private final AgroalDataSource db;

    public AppAccessRepository(AgroalDataSource db) {
        this.db = db;
    }

    /**
     * Runs {@code change} with the app's row locked; an app without a row is first given one, with {@code legacy}'s
     * state (what Redis held before access was kept here), so an upgrade loses no grant.
     */
    public void change(String appId, java.util.function.Supplier<Legacy> legacy, Change change) {
        Transactions.inTransaction(db, connection -> {
            if (!lockRow(connection, appId)) {
                adopt(connection, appId, legacy.get());
                lockRow(connection, appId);
            }
            change.apply(connection);
            return null;
        }, e -> new IllegalStateException("changing the access of app " + appId + " failed", e));
    }

    public static void setPublic(Connection connection, String appId, boolean open) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE app_access SET is_public = ? WHERE app_id = ?")) {
            update.setBoolean(1, open);
            update.setString(2, appId);
            update.executeUpdate();
        }
    }

    public static void grant(Connection connection, String appId, Collection<Long> users) throws SQLException {
        List<Long> all = new ArrayList<>(users);
        for (int from = 0; from < all.size(); from += INSERT_CHUNK) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + INSERT_CHUNK));
            StringBuilder sql = new StringBuilder("INSERT IGNORE INTO app_grants (app_id, user_id) VALUES ");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "(?, ?)" : ", (?, ?)");
            }
            try (PreparedStatement insert = connection.prepareStatement(sql.toString())) {
                int p = 1;
                for (long user : chunk) {
                    insert.setString(p++, appId);
                    insert.setLong(p++, user);
                }
                insert.executeUpdate();
            }
        }
    }

    public static void revoke(Connection connection, String appId, long user) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM app_grants WHERE app_id = ? AND user_id = ?")) {
            delete.setString(1, appId);
            delete.setLong(2, user);
            delete.executeUpdate();
        }
    }

    /** The app's access as MySQL holds it (one consistent read). */
    public Stored load(String appId) {
        return Transactions.inTransaction(db, connection -> {
            Boolean open = null;
            try (PreparedStatement select = connection.prepareStatement("SELECT is_public FROM app_access WHERE app_id = ?")) {
                select.setString(1, appId);
                try (ResultSet rows = select.executeQuery()) {
                    if (rows.next()) {
                        open = rows.getBoolean(1);
                    }
                }
            }
            List<Long> grants = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT user_id FROM app_grants WHERE app_id = ?")) {
                select.setString(1, appId);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        grants.add(rows.getLong(1));
                    }
                }
            }
            return new Stored(open != null, Boolean.TRUE.equals(open), grants);
        }, e -> new IllegalStateException("reading the access of app " + appId + " failed", e));
    }

    /** Whether MySQL records a grant of the app to the user (the answer while Redis is being rebuilt). */
    public boolean isGranted(String appId, long user) {
        try (Connection connection = db.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT 1 FROM app_grants WHERE app_id = ? AND user_id = ?")) {
            select.setString(1, appId);
            select.setLong(2, user);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading a grant of app " + appId + " failed", e);
        }
    }

    /** Creates the app's row from what Redis held ({@code INSERT IGNORE}: a concurrent first change wins). */
    public void adoptIfUnknown(String appId, java.util.function.Supplier<Legacy> legacy) {
        Transactions.inTransaction(db, connection -> {
            if (!lockRow(connection, appId)) {
                adopt(connection, appId, legacy.get());
            }
            return null;
        }, e -> new IllegalStateException("recording the access of app " + appId + " failed", e));
    }

    private static boolean lockRow(Connection connection, String appId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM app_access WHERE app_id = ? FOR UPDATE")) {
            select.setString(1, appId);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static void adopt(Connection connection, String appId, Legacy legacy) throws SQLException {
        int inserted;
        try (PreparedStatement insert = connection.prepareStatement("INSERT IGNORE INTO app_access (app_id, is_public) VALUES (?, ?)")) {
            insert.setString(1, appId);
            insert.setBoolean(2, legacy.open());
            inserted = insert.executeUpdate();
        }
        if (inserted == 1 && !legacy.grants().isEmpty()) {
            grant(connection, appId, legacy.grants());
        }
    }
}
