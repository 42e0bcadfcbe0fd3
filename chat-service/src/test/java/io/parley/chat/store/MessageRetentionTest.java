package io.parley.chat.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.support.IdServiceTestResource;
import io.parley.chat.support.MovableClock;
import io.parley.chat.support.TestUsers;
import io.parley.common.retention.BatchedPurge;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Message history retention against real MariaDB, with the clock moved forward instead of waiting. */
@QuarkusTest
@TestProfile(MessageRetentionTest.ThirtyDaysDirectNinetyGroup.class)
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_chat"))
@QuarkusTestResource(IdServiceTestResource.class)
class MessageRetentionTest {

    private static final Duration DAY = Duration.ofDays(1);

    /** Direct history kept 30 days, group history 90 days, deleted 3 rows at a time. */
    public static class ThirtyDaysDirectNinetyGroup implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "parley.chat.retention.message-age", "30D",
                    "parley.chat.retention.group-message-age", "90D",
                    "parley.chat.retention.batch-size", "3",
                    "parley.chat.retention.pause-between-batches", "0S",
                    "parley.chat.retention.interval", "1H");
        }
    }

    @Inject
    MessageRetention retention;

    @Inject
    MovableClock clock;

    @Inject
    HistoryRepository history;

    @Inject
    AgroalDataSource db;

    @Inject
    MeterRegistry metrics;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void shouldPurgeHistoryOlderThanItsKindsAgeInSmallBatchesAsTheClockMoves() throws SQLException {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String direct = "d:" + Math.min(a, b) + ":" + Math.max(a, b);
        String group = "g:" + TestUsers.newUserId();
        long now = clock.millis();
        long fortyDaysAgo = now - 40 * DAY.toMillis();
        long yesterday = now - DAY.toMillis();
        for (int seq = 1; seq <= 9; seq++) {
            insert(direct, seq, a, seq <= 7 ? fortyDaysAgo + seq : yesterday + seq);
        }
        for (int seq = 1; seq <= 5; seq++) {
            insert(group, seq, a, seq <= 4 ? fortyDaysAgo + seq : yesterday + seq);
        }
        double directBefore = purged("direct");
        double groupBefore = purged("group");

        // today: direct messages of 40 days go, group messages (90 days) stay
        BatchedPurge.Round first = purgeOnce();
        assertEquals(List.of(8L, 9L), seqs(direct));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(group));
        assertTrue(first.batches() >= 3, "7 rows in batches of 3 take at least 3 batches: " + first);
        assertTrue(purged("direct") - directBefore >= 7, "the metric counts what was removed");
        assertEquals(groupBefore, purged("group"));

        // 60 days later: yesterday's direct messages are 61 days old, the group's old ones 100
        clock.advance(Duration.ofDays(60));
        purgeOnce();
        assertEquals(List.of(), seqs(direct));
        assertEquals(List.of(5L), seqs(group));
        assertTrue(purged("group") - groupBefore >= 4);

        // 100 days later: nothing of either is left
        clock.advance(Duration.ofDays(40));
        purgeOnce();
        assertEquals(List.of(), seqs(group));

        // but their last seqs are: a counter that left Redis takes its floor from here, not from 0
        assertEquals(9, history.maxSeq(direct));
        assertEquals(5, history.maxSeq(group));
        List<String> known = new java.util.ArrayList<>();
        history.forEachConversation(known::add);
        assertTrue(known.containsAll(List.of(direct, group)), "the filter's rebuild still knows them");
    }

    /** One round; the background loop may hold the lock at start-up, then the round is simply run again. */
    private BatchedPurge.Round purgeOnce() {
        AtomicReference<BatchedPurge.Round> round = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            round.set(retention.purgeOnce());
            return !round.get().skipped();
        });
        return round.get();
    }

    private double purged(String kind) {
        return metrics.get("parley.retention.purged").tag("what", "messages").tag("kind", kind).counter().count();
    }

    private void insert(String conversation, long seq, long sender, long ts) throws SQLException {
        try (Connection connection = db.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO messages (conversation_id, seq, id, "
                     + "sender, recipient, kind, body, ts, target, client_msg_id) VALUES (?, ?, ?, ?, ?, 'text', 'old', ?, NULL, ?)")) {
            insert.setString(1, conversation);
            insert.setLong(2, seq);
            insert.setString(3, TestUsers.messageId(sender));
            insert.setLong(4, sender);
            insert.setString(5, conversation.startsWith("g:") ? conversation.substring(2) : "1");
            insert.setLong(6, ts);
            insert.setString(7, "cmid-" + conversation + "-" + seq);
            insert.executeUpdate();
        }
    }

    private List<Long> seqs(String conversation) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection connection = db.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT seq FROM messages WHERE conversation_id = ? ORDER BY seq")) {
            select.setString(1, conversation);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    out.add(rows.getLong(1));
                }
            }
        }
        return out;
    }
}
