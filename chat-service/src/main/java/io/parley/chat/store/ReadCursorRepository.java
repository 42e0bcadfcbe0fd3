package io.parley.chat.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Read cursors in MySQL ({@code read_cursors}): where each user has read each conversation, kept so unread counts
 * survive Redis losing its data; and the user's own newest message per conversation (sending counts as reading).
 * Plain JDBC. Blocking: worker threads only.
 */
@ApplicationScoped
public class ReadCursorRepository {

    /** Rows per multi-row upsert. */
    private static final int UPSERT_CHUNK = 500;

    /** One cursor to keep. */
    public record Cursor(long user, String conversation, long seq) {
    }

    private final AgroalDataSource db;

    public ReadCursorRepository(AgroalDataSource db) {
        this.db = db;
    }

    /** Raises the stored cursors (never lowers one: a late flush of an older value changes nothing). */
    public void raise(List<Cursor> cursors) {
        try (Connection connection = db.getConnection()) {
            for (int from = 0; from < cursors.size(); from += UPSERT_CHUNK) {
                List<Cursor> chunk = cursors.subList(from, Math.min(cursors.size(), from + UPSERT_CHUNK));
                StringBuilder sql = new StringBuilder("INSERT INTO read_cursors (user_id, conversation_id, seq) VALUES ");
                for (int i = 0; i < chunk.size(); i++) {
                    sql.append(i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)");
                }
                sql.append(" ON DUPLICATE KEY UPDATE seq = GREATEST(seq, VALUES(seq))");
                try (PreparedStatement upsert = connection.prepareStatement(sql.toString())) {
                    int p = 1;
                    for (Cursor cursor : chunk) {
                        upsert.setLong(p++, cursor.user());
                        upsert.setString(p++, cursor.conversation());
                        upsert.setLong(p++, cursor.seq());
                    }
                    upsert.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new HistoryRepository.HistoryException("keeping " + cursors.size() + " read cursors failed", e);
        }
    }

    /**
     * How far the user has read each conversation, as MySQL knows it: the stored cursor, or the user's own newest
     * message if later (the index on (sender, conversation_id) carries the seq: an index-only read).
     */
    public Map<String, Long> readPositions(long user) {
        Map<String, Long> out = new HashMap<>();
        try (Connection connection = db.getConnection()) {
            for (String sql : new String[] {
                    "SELECT conversation_id, seq FROM read_cursors WHERE user_id = ?",
                    "SELECT conversation_id, MAX(seq) FROM messages WHERE sender = ? GROUP BY conversation_id"}) {
                try (PreparedStatement select = connection.prepareStatement(sql)) {
                    select.setLong(1, user);
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            out.merge(rows.getString(1), rows.getLong(2), Math::max);
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new HistoryRepository.HistoryException("reading the read cursors of user " + user + " failed", e);
        }
        return out;
    }
}
