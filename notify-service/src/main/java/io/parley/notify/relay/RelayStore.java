package io.parley.notify.relay;

import io.agroal.api.AgroalDataSource;
import io.parley.common.redis.OutboxEvent;
import io.parley.notify.support.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code relay_events} and {@code relay_windows}: outbox events made durable before their stream entries are
 * acknowledged, and each user's open digest window. Blocking (JDBC): worker threads only.
 */
@ApplicationScoped
public class RelayStore {

    /** A stored, not yet digested event. */
    public record StoredEvent(long id, String messageId, String json) {
    }

    private final AgroalDataSource db;

    public RelayStore(AgroalDataSource db) {
        this.db = db;
    }

    /**
     * Stores events (a repeat of a user + message id is a no-op) and opens a window for each of their users that has
     * none, closing {@code windowMillis.get(user)} from now — all in one transaction, with whatever {@code alongside}
     * writes (the batch's pushes).
     */
    public void record(List<OutboxEvent> events, Map<Long, Long> windowMillis, Alongside alongside) {
        if (events.isEmpty() && alongside == null) {
            return;
        }
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(
                         "INSERT IGNORE INTO relay_events (user_id, message_id, payload) VALUES (?, ?, ?)");
                 PreparedStatement window = c.prepareStatement("INSERT IGNORE INTO relay_windows (user_id, due_at) "
                         + "VALUES (?, TIMESTAMPADD(MICROSECOND, ?, NOW(3)))")) {
                // windows first, users in a fixed order: the same lock order as closeWindow (window, then events), so a
                // flush and a batch never deadlock
                for (Map.Entry<Long, Long> w : new TreeMap<>(windowMillis).entrySet()) {
                    window.setLong(1, w.getKey());
                    window.setLong(2, w.getValue() * 1000);
                    window.addBatch();
                }
                window.executeBatch();
                for (OutboxEvent e : events) {
                    insert.setLong(1, e.user());
                    insert.setString(2, e.messageId());
                    insert.setString(3, e.json());
                    insert.addBatch();
                }
                insert.executeBatch();
                if (alongside != null) {
                    alongside.write(c);
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw Jdbc.failure("store outbox events", e);
        }
    }

    /** Users whose window has closed, oldest first. */
    public List<Long> dueWindows(int limit) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT user_id FROM relay_windows WHERE due_at <= NOW(3) ORDER BY due_at LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<Long> users = new ArrayList<>();
                while (rs.next()) {
                    users.add(rs.getLong(1));
                }
                return users;
            }
        } catch (SQLException e) {
            throw Jdbc.failure("read due windows", e);
        }
    }

    /** More rows written in the transaction of {@link #record}. */
    public interface Alongside {
        void write(Connection c) throws SQLException;
    }

    /** Work done inside a flush transaction. */
    public interface Flush {
        /** Given the undigested events (oldest first), writes the deliveries; returns the digest key to mark them with. */
        String apply(Connection c, List<StoredEvent> events) throws SQLException;
    }

    /**
     * Closes a user's due window in one transaction: locks it (another instance that got there first leaves nothing
     * to do), hands the undigested events to {@code flush}, marks them with the digest key it returns and deletes
     * the window.
     *
     * @return whether this call closed the window
     */
    public boolean closeWindow(long user, Flush flush) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean locked;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT user_id FROM relay_windows WHERE user_id = ? AND due_at <= NOW(3) FOR UPDATE")) {
                    ps.setLong(1, user);
                    try (ResultSet rs = ps.executeQuery()) {
                        locked = rs.next();
                    }
                }
                if (!locked) {
                    c.rollback();
                    return false;
                }
                Map<Long, StoredEvent> events = new LinkedHashMap<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id, message_id, payload FROM relay_events "
                        + "WHERE user_id = ? AND digest_key IS NULL ORDER BY id FOR UPDATE")) {
                    ps.setLong(1, user);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            events.put(rs.getLong(1), new StoredEvent(rs.getLong(1), rs.getString(2), rs.getString(3)));
                        }
                    }
                }
                if (!events.isEmpty()) {
                    String digestKey = flush.apply(c, new ArrayList<>(events.values()));
                    markDigested(c, events.keySet(), digestKey);
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM relay_windows WHERE user_id = ?")) {
                    ps.setLong(1, user);
                    ps.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw Jdbc.failure("close digest window", e);
        }
    }

    /** Deletes digested events older than a day (a re-read stream entry is never that old). */
    public int purgeDigested() {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM relay_events WHERE digest_key IS NOT NULL "
                     + "AND received_at < NOW(3) - INTERVAL 1 DAY LIMIT 5000")) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw Jdbc.failure("purge relay events", e);
        }
    }

    private static void markDigested(Connection c, Iterable<Long> ids, String digestKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE relay_events SET digest_key = ? WHERE id = ?")) {
            for (long id : ids) {
                ps.setString(1, digestKey);
                ps.setLong(2, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
