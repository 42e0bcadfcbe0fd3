package io.parley.chat.store;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.common.retention.BatchedPurge;
import io.parley.common.thread.BackgroundLoop;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Retention of message history: messages older than the configured age (by their own time, per kind of
 * conversation) are deleted from MySQL in small batches by a background loop ({@link BatchedPurge}: one replica at
 * a time, short statements, a pause between batches). The purge walks the {@code ix_messages_ts} index in order with
 * a cursor, so rows a longer age keeps (group history kept longer than direct) are stepped over once a round, not
 * read again by every batch. The Redis hot log is not touched: it holds only the newest messages and is trimmed by
 * the write-behind. Metric: {@code parley_retention_purged_total{what="messages",kind}}.
 */
@ApplicationScoped
public class MessageRetention {

    private static final Logger LOG = Logger.getLogger(MessageRetention.class);
    static final String LOCK = "parley-chat-retention-messages";

    private final AgroalDataSource db;
    private final Clock clock;
    private final ChatConfig.Retention config;
    private final BatchedPurge purge;
    private final Counter purgedDirect;
    private final Counter purgedGroup;
    private final BackgroundLoop loop;
    private volatile boolean stopping;

    public MessageRetention(AgroalDataSource db, Clock clock, ChatConfig config, MeterRegistry metrics) {
        this.db = db;
        this.clock = clock;
        this.config = config.retention();
        this.purge = new BatchedPurge(db, LOCK, this.config.batchSize(), this.config.maxBatchesPerRound(),
                this.config.pauseBetweenBatches());
        this.purgedDirect = purgedCounter(metrics, "direct");
        this.purgedGroup = purgedCounter(metrics, "group");
        this.loop = new BackgroundLoop("message-retention", "message retention purge", LOG, this::scheduledRound)
                .idle(this.config.interval()).maxBackoff(Duration.ofMinutes(1));
    }

    private static Counter purgedCounter(MeterRegistry metrics, String kind) {
        return Counter.builder("parley.retention.purged").tag("what", "messages").tag("kind", kind)
                .description("Rows the retention purge deleted").register(metrics);
    }

    void start(@Observes StartupEvent event) {
        if (enabled()) {
            loop.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        loop.stop(Duration.ofSeconds(5));
    }

    /** Whether any age is set (otherwise history is kept for ever and no loop runs). */
    public boolean enabled() {
        return age(config.directMessageAge()) != null || age(config.groupMessageAge()) != null;
    }

    private boolean scheduledRound() {
        return purgeOnce().more();
    }

    /** One round now (also what the loop runs): what it deleted. Blocking. */
    public BatchedPurge.Round purgeOnce() {
        long now = clock.millis();
        Duration directAge = age(config.directMessageAge());
        Duration groupAge = age(config.groupMessageAge());
        long directCutoff = directAge == null ? Long.MIN_VALUE : now - directAge.toMillis();
        long groupCutoff = groupAge == null ? Long.MIN_VALUE : now - groupAge.toMillis();
        if (directAge == null && groupAge == null) {
            return new BatchedPurge.Round(false, 0, 0, false);
        }
        ExpiredWalk walk = new ExpiredWalk(directCutoff, groupCutoff);
        try {
            BatchedPurge.Round round = purge.run(walk, () -> !stopping);
            if (round.deleted() > 0) {
                LOG.infof("retention: %d messages older than their age deleted (%d direct, %d group) in %d batches",
                        round.deleted(), walk.direct, walk.group, round.batches());
            }
            return round;
        } catch (SQLException e) {
            throw new IllegalStateException("the message retention purge failed: " + e.getMessage(), e);
        }
    }

    /** A kind's age: its own, else the global one; {@code null} when history of that kind is kept for ever. */
    private Duration age(Optional<Duration> ofKind) {
        Duration age = ofKind.orElse(config.messageAge());
        return age.isZero() || age.isNegative() ? null : age;
    }

    /** One round's walk along {@code ix_messages_ts} up to the later cutoff, deleting what its kind's cutoff expires. */
    private final class ExpiredWalk implements BatchedPurge.BatchStep {

        private final long directCutoff;
        private final long groupCutoff;
        private long afterTs = Long.MIN_VALUE;
        private String afterConversation = "";
        private long afterSeq = Long.MIN_VALUE;
        long direct;
        long group;

        ExpiredWalk(long directCutoff, long groupCutoff) {
            this.directCutoff = directCutoff;
            this.groupCutoff = groupCutoff;
        }

        @Override
        public BatchedPurge.Batch next(Connection connection, int limit) throws SQLException {
            List<String> conversations = new ArrayList<>(limit);
            List<Long> seqs = new ArrayList<>(limit);
            int examined = 0;
            // the index (ts) carries the primary key (conversation_id, seq): the order and the cursor are the index's
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT conversation_id, seq, ts FROM messages FORCE INDEX (ix_messages_ts) WHERE ts < ? AND (ts > ? "
                    + "OR (ts = ? AND (conversation_id > ? OR (conversation_id = ? AND seq > ?)))) "
                    + "ORDER BY ts, conversation_id, seq LIMIT ?")) {
                select.setLong(1, Math.max(directCutoff, groupCutoff));
                select.setLong(2, afterTs);
                select.setLong(3, afterTs);
                select.setString(4, afterConversation);
                select.setString(5, afterConversation);
                select.setLong(6, afterSeq);
                select.setInt(7, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        examined++;
                        String conversation = rows.getString(1);
                        long seq = rows.getLong(2);
                        long ts = rows.getLong(3);
                        afterTs = ts;
                        afterConversation = conversation;
                        afterSeq = seq;
                        if (ts < (conversation.startsWith("g:") ? groupCutoff : directCutoff)) {
                            conversations.add(conversation);
                            seqs.add(seq);
                        }
                    }
                }
            }
            int deleted = delete(connection, conversations, seqs);
            return new BatchedPurge.Batch(examined, deleted);
        }

        /**
         * Before the rows go: the highest seq deleted per conversation, kept in {@code seq_floors} (never lowered), so a
         * conversation whose every message is purged still continues above them when its counter is gone from Redis.
         */
        private void keepFloors(Connection connection, List<String> conversations, List<Long> seqs) throws SQLException {
            Map<String, Long> floors = new HashMap<>();
            for (int i = 0; i < conversations.size(); i++) {
                floors.merge(conversations.get(i), seqs.get(i), Math::max);
            }
            StringBuilder sql = new StringBuilder("INSERT INTO seq_floors (conversation_id, seq) VALUES ");
            sql.append("(?, ?), ".repeat(floors.size() - 1)).append("(?, ?)");
            sql.append(" ON DUPLICATE KEY UPDATE seq = GREATEST(seq, VALUES(seq))");
            try (PreparedStatement insert = connection.prepareStatement(sql.toString())) {
                int p = 1;
                for (Map.Entry<String, Long> floor : floors.entrySet()) {
                    insert.setString(p++, floor.getKey());
                    insert.setLong(p++, floor.getValue());
                }
                insert.executeUpdate();
            }
        }

        private int delete(Connection connection, List<String> conversations, List<Long> seqs) throws SQLException {
            if (conversations.isEmpty()) {
                return 0;
            }
            keepFloors(connection, conversations, seqs);
            // primary-key equalities: each row is found by its key, nothing else is locked
            StringBuilder sql = new StringBuilder("DELETE FROM messages WHERE ");
            for (int i = 0; i < conversations.size(); i++) {
                sql.append(i == 0 ? "(conversation_id = ? AND seq = ?)" : " OR (conversation_id = ? AND seq = ?)");
            }
            try (PreparedStatement delete = connection.prepareStatement(sql.toString())) {
                int p = 1;
                for (int i = 0; i < conversations.size(); i++) {
                    delete.setString(p++, conversations.get(i));
                    delete.setLong(p++, seqs.get(i));
                }
                int deleted = delete.executeUpdate();
                for (String conversation : conversations) {
                    if (conversation.startsWith("g:")) {
                        group++;
                        purgedGroup.increment();
                    } else {
                        direct++;
                        purgedDirect.increment();
                    }
                }
                return deleted;
            }
        }
    }
}
