package io.parley.chat.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What MySQL's history says about conversations, for rebuilding what Redis lost: a user's direct conversations
 * (through {@code ix_messages_sender} / {@code ix_messages_recipient}) and a conversation's newest message (a
 * primary-key lookup). Read-only. Blocking: worker threads only.
 */
@ApplicationScoped
public class DirectConversationRepository {

    /** Conversation ids per {@code IN (...)} query. */
    private static final int IN_CHUNK = 500;

    /** A conversation's newest stored message: its seq and time (epoch ms). */
    public record Newest(long seq, long ts) {
    }

    private final AgroalDataSource db;

    public DirectConversationRepository(AgroalDataSource db) {
        this.db = db;
    }

    /** The direct conversations in which the user sent or received a message that MySQL holds. */
    public Set<String> directConversationsOf(long user) {
        Set<String> out = new LinkedHashSet<>();
        try (Connection connection = db.getConnection()) {
            // two index range scans (sender, recipient) rather than one OR that would scan the table
            for (String sql : new String[] {
                    "SELECT DISTINCT conversation_id FROM messages WHERE sender = ? AND conversation_id LIKE 'd:%'",
                    "SELECT DISTINCT conversation_id FROM messages WHERE recipient = ? AND conversation_id LIKE 'd:%'"}) {
                try (PreparedStatement select = connection.prepareStatement(sql)) {
                    if (sql.contains("sender")) {
                        select.setLong(1, user);
                    } else {
                        select.setString(1, Long.toString(user));
                    }
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            out.add(rows.getString(1));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new HistoryRepository.HistoryException("reading the direct conversations of user " + user + " failed", e);
        }
        return out;
    }

    /** The newest stored message of each conversation that has one. */
    public Map<String, Newest> newest(Collection<String> conversations) {
        Map<String, Newest> out = new HashMap<>();
        List<String> all = new ArrayList<>(conversations);
        try (Connection connection = db.getConnection()) {
            for (int from = 0; from < all.size(); from += IN_CHUNK) {
                List<String> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
                String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
                // MAX(seq) per conversation is a loose scan of the primary key; the join reads one row each
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT m.conversation_id, m.seq, m.ts FROM messages m JOIN (SELECT conversation_id, MAX(seq) AS seq "
                        + "FROM messages WHERE conversation_id IN (" + marks + ") GROUP BY conversation_id) newest "
                        + "ON m.conversation_id = newest.conversation_id AND m.seq = newest.seq")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        select.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            out.put(rows.getString(1), new Newest(rows.getLong(2), rows.getLong(3)));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new HistoryRepository.HistoryException("reading the newest messages of conversations failed", e);
        }
        return out;
    }
}
