package io.parley.chat.store;

import io.agroal.api.AgroalDataSource;
import io.parley.chat.protocol.ChatMessage;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * Message history in MySQL (table {@code messages}, keyed by {@code (conversation_id, seq)}). Plain JDBC: the
 * write-behind inserts hundreds of rows per statement, which an ORM would only slow down.
 * Blocking: call from worker threads or the write-behind thread only. Database failures surface as
 * {@link HistoryException} (unchecked).
 */
@ApplicationScoped
public class HistoryRepository {

    private static final String COLUMNS = "id, conversation_id, seq, sender, recipient, kind, body, ts, target, client_msg_id";
    private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    /**
     * The INSERT of 2^k rows, k = 0..9: a batch is cut into chunks of these sizes (its size in binary, so at most ten
     * statements below 1,024 rows), and each text is one of ten. With the driver's server-side prepared statements and
     * their cache (application.properties) a statement is parsed and planned once per connection and then only
     * executed with binary parameters — a fresh 500-row text every batch had the driver parse it and escape every
     * value into it on the write-behind thread, the fifth of a node's CPU under 1:1 load. 512 rows of 10 parameters
     * stay far below MySQL's 65,535 placeholders.
     */
    private static final String[] INSERT_BY_POWER = new String[10];

    static {
        for (int k = 0; k < INSERT_BY_POWER.length; k++) {
            StringBuilder sql = new StringBuilder("INSERT IGNORE INTO messages (").append(COLUMNS).append(") VALUES ");
            for (int i = 0; i < 1 << k; i++) {
                sql.append(i == 0 ? "" : ", ").append(ROW);
            }
            INSERT_BY_POWER[k] = sql.toString();
        }
    }

    /** Ids per lookup of {@link #missingByIdAmong} (a rare path: after a conflict). */
    private static final int IDS_PER_QUERY = 500;

    /** The longest statement text: the driver caches only statements up to its prepStmtCacheSqlLimit. */
    static final int LONGEST_INSERT_CHARS = INSERT_BY_POWER[INSERT_BY_POWER.length - 1].length();

    /** A database failure (connection lost, statement refused); the caller decides whether to retry. */
    public static final class HistoryException extends RuntimeException {
        HistoryException(String message, SQLException cause) {
            super(message + ": " + cause.getMessage(), cause);
        }
    }

    private final AgroalDataSource dataSource;

    public HistoryRepository(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Inserts messages in one transaction. Idempotent: a message already stored (same id, or same
     * conversation and seq) is skipped ({@code INSERT IGNORE}), so a replayed write-behind batch writes nothing
     * twice. Returns how many rows were new.
     */
    public int insertBatch(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            return 0;
        }
        try {
            return insertInTransaction(messages);
        } catch (SQLException e) {
            throw new HistoryException("inserting " + messages.size() + " messages failed", e);
        }
    }

    private int insertInTransaction(List<ChatMessage> messages) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int inserted = insert(connection, messages);
                connection.commit();
                return inserted;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private static int insert(Connection connection, List<ChatMessage> messages) throws SQLException {
        int inserted = 0;
        int from = 0;
        while (from < messages.size()) {
            int power = Math.min(INSERT_BY_POWER.length - 1, 31 - Integer.numberOfLeadingZeros(messages.size() - from));
            int rows = 1 << power;
            inserted += insertChunk(connection, INSERT_BY_POWER[power], messages.subList(from, from + rows));
            from += rows;
        }
        return inserted;
    }

    private static int insertChunk(Connection connection, String sql, List<ChatMessage> chunk) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int p = 1;
            for (ChatMessage m : chunk) {
                statement.setString(p++, m.id());
                statement.setString(p++, m.conversation());
                statement.setLong(p++, m.seq());
                statement.setLong(p++, m.from());
                statement.setString(p++, m.toGroup() != null ? m.toGroup() : Long.toString(m.toUser()));
                statement.setString(p++, m.kind());
                statement.setString(p++, m.body());
                statement.setLong(p++, m.ts());
                if (m.target() == null) {
                    statement.setNull(p++, Types.CHAR);
                } else {
                    statement.setString(p++, m.target());
                }
                statement.setString(p++, m.clientMsgId() == null ? "" : m.clientMsgId());
            }
            return statement.executeUpdate();
        }
    }

    /** Messages with seq above {@code afterSeq}, ascending, at most {@code limit} (sync gaps older than Redis holds). */
    public List<ChatMessage> range(String conversation, long afterSeq, int limit) {
        return query("SELECT " + COLUMNS + " FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?",
                conversation, afterSeq, limit);
    }

    /** Messages with seq below {@code beforeSeq}, newest first, at most {@code limit} (history pages). */
    public List<ChatMessage> pageBefore(String conversation, long beforeSeq, int limit) {
        return query("SELECT " + COLUMNS + " FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                conversation, beforeSeq, limit);
    }

    /**
     * Every conversation MySQL holds a message of, or ever held one of (retention may have purged them all:
     * {@code seq_floors} keeps its last seq), handed to {@code each} as the rows stream in (the rebuild of the
     * filters of started conversations after Redis lost them; index scans).
     */
    public void forEachConversation(java.util.function.Consumer<String> each) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT DISTINCT conversation_id FROM messages UNION SELECT conversation_id FROM seq_floors")) {
            statement.setFetchSize(1000);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    each.accept(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new HistoryException("reading every conversation failed", e);
        }
    }

    /**
     * The highest seq MySQL holds or held for the conversation (its messages, or the last seq retention purged),
     * 0 for none: the floor of a counter that left Redis.
     */
    public long maxSeq(String conversation) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT GREATEST(COALESCE((SELECT MAX(seq) FROM messages WHERE conversation_id = ?), 0), "
                     + "COALESCE((SELECT seq FROM seq_floors WHERE conversation_id = ?), 0))")) {
            statement.setString(1, conversation);
            statement.setString(2, conversation);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1); // NULL (no row) reads as 0
            }
        } catch (SQLException e) {
            throw new HistoryException("reading the last seq of " + conversation + " failed", e);
        }
    }

    /**
     * How many messages of the conversation MySQL holds with {@code fromSeq <= seq <= toSeq}: equal to
     * {@code toSeq - fromSeq + 1} when that range has no hole. A primary-key range count.
     */
    public long countRange(String conversation, long fromSeq, long toSeq) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND seq BETWEEN ? AND ?")) {
            statement.setString(1, conversation);
            statement.setLong(2, fromSeq);
            statement.setLong(3, toSeq);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new HistoryException("counting messages of " + conversation + " failed", e);
        }
    }

    /**
     * Those of {@code messages} that MySQL does not hold by id: after an {@code INSERT IGNORE} that inserted fewer
     * rows than it was given, the rows skipped for holding a (conversation, seq) already taken by another message —
     * a seq assigned twice, which must never pass silently — rather than replays of rows already stored.
     */
    public List<ChatMessage> missingByIdAmong(List<ChatMessage> messages) {
        List<ChatMessage> missing = new ArrayList<>();
        for (int from = 0; from < messages.size(); from += IDS_PER_QUERY) {
            List<ChatMessage> chunk = messages.subList(from, Math.min(messages.size(), from + IDS_PER_QUERY));
            java.util.Set<String> stored = storedIds(chunk.stream().map(ChatMessage::id).toList());
            for (ChatMessage m : chunk) {
                if (!stored.contains(m.id())) {
                    missing.add(m);
                }
            }
        }
        return missing;
    }

    private java.util.Set<String> storedIds(List<String> ids) {
        String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT id FROM messages WHERE id IN (" + marks + ")")) {
            int p = 1;
            for (String id : ids) {
                statement.setString(p++, id);
            }
            java.util.Set<String> out = new java.util.HashSet<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    out.add(rows.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new HistoryException("reading stored message ids failed", e);
        }
    }

    /** How many of the given message ids are stored (for tests and diagnostics). */
    public long countIds(Collection<String> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT COUNT(*) FROM messages WHERE id IN (" + marks + ")")) {
            int p = 1;
            for (String id : ids) {
                statement.setString(p++, id);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new HistoryException("counting message ids failed", e);
        }
    }

    private List<ChatMessage> query(String sql, String conversation, long seq, int limit) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, conversation);
            statement.setLong(2, seq);
            statement.setInt(3, limit);
            try (ResultSet rows = statement.executeQuery()) {
                List<ChatMessage> out = new ArrayList<>();
                boolean group = conversation.startsWith("g:");
                while (rows.next()) {
                    String recipient = rows.getString("recipient");
                    out.add(new ChatMessage(rows.getString("id"), rows.getString("conversation_id"), rows.getLong("seq"),
                            rows.getLong("sender"), group ? 0 : Long.parseLong(recipient), group ? recipient : null,
                            rows.getString("body"), rows.getString("kind"), rows.getLong("ts"), rows.getString("target"),
                            rows.getString("client_msg_id")));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new HistoryException("reading history of " + conversation + " failed", e);
        }
    }
}
