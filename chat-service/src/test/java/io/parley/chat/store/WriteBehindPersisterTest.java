package io.parley.chat.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.chat.protocol.ChatMessage;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.support.IdServiceTestResource;
import io.parley.chat.support.ShortPersistenceProfile;
import io.parley.chat.support.TestUsers;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The write-behind against real Redis and MariaDB: every message reaches MySQL exactly once, read from the
 * conversations' logs; a log is never trimmed over what MySQL lacks; a node's buckets pass to another when it stops;
 * the write-behind stream of an older version is drained; a seq MySQL holds with another message is reported.
 */
@QuarkusTest
@TestProfile(ShortPersistenceProfile.class)
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_chat"))
@QuarkusTestResource(IdServiceTestResource.class)
class WriteBehindPersisterTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String[] FRAME = {"{\"seq\":", "}"};
    /** Writes log entries as the append script does (seqs and ids in ARGV[5..]); marks the conversation dirty if asked. */
    private static final String WRITE_LOG = """
            local log, seq_key, dirty = KEYS[1], KEYS[2], KEYS[3]
            local cid, from, to, mark_dirty = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
            for i = 5, #ARGV, 2 do
              local seq, id = ARGV[i], ARGV[i + 1]
              redis.call('XADD', log, seq .. '-0', 'id', id, 'from', from, 'to', to, 'kind', 'text',
                'body', 'm' .. seq, 'ts', '1700000000000', 'target', '', 'cmid', 'c' .. seq)
              redis.call('SET', seq_key, seq)
            end
            if mark_dirty == '1' then
              redis.call('SADD', dirty, cid)
            end
            return 1
            """;

    @Inject
    MessageStore store;

    @Inject
    HistoryRepository history;

    @Inject
    RedisDataSource redis;

    @Inject
    WriteBehindPersister persister;

    @Inject
    io.parley.chat.config.ChatConfig config;

    @Test
    void shouldMoveAppendedMessagesToMySqlThenTrimTheLog() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            String id = TestUsers.messageId(a);
            ids.add(id);
            ChatMessage draft = new ChatMessage(id, cid, 0, a, b, null, "hello " + i, "text", System.currentTimeMillis(),
                    null, "cmid-" + i);
            var result = store.append(draft, false, FRAME, "test", List.of()).await().atMost(WAIT);
            assertEquals(new MessageStore.AppendResult.Stored(i), result);
        }

        await().atMost(WAIT).until(() -> history.countIds(ids) == 12);
        await().atMost(WAIT).until(() -> "12".equals(persisted(cid)) && !dirty(cid));
        // the log keeps the hot messages (5): seqs 8..12
        assertEquals(ShortPersistenceProfile.HOT_MESSAGES, xlen(RedisKeys.log(cid)));
        assertEquals("8-0", redis.stream(String.class).xrange(RedisKeys.log(cid), StreamRange.of("-", "+"), 1).get(0).id());
        List<ChatMessage> stored = history.range(cid, 0, 100);
        assertEquals(12, stored.size());
        for (int i = 0; i < 12; i++) {
            ChatMessage m = stored.get(i);
            assertEquals(i + 1, m.seq());
            assertEquals(ids.get(i), m.id());
            assertEquals(a, m.from());
            assertEquals(b, m.toUser());
            assertEquals("hello " + (i + 1), m.body());
            assertEquals("text", m.kind());
            assertEquals("cmid-" + (i + 1), m.clientMsgId());
        }
    }

    @Test
    void shouldTakeOverTheBucketOfANodeThatStoppedAndNeverTrimOverWhatMySqlLacks() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        // another node holds the bucket and stops writing (died): its lease runs out after 1.5 s
        String lease = RedisKeys.writerLease(RedisKeys.bucket(cid));
        redis.execute("SET", lease, "stopped-node-" + a, "PX", "1500");
        List<String> ids = writeLog(cid, a, b, 1, 8);

        assertEquals(0, history.countIds(ids), "nothing is written while the other node holds the bucket");
        assertEquals(8, xlen(RedisKeys.log(cid)), "the log keeps every message MySQL lacks");
        assertEquals(null, persisted(cid));

        await().atMost(WAIT).until(() -> history.countIds(ids) == 8);
        await().atMost(WAIT).until(() -> "8".equals(persisted(cid)) && !dirty(cid));
        assertEquals(ShortPersistenceProfile.HOT_MESSAGES, xlen(RedisKeys.log(cid)));
        assertEquals(persister.consumer(), redis.value(String.class).get(lease), "this node writes the bucket now");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L),
                history.range(cid, 0, 10).stream().map(ChatMessage::seq).toList());
    }

    @Test
    void shouldRaiseTheMarksOfABatchOfManyConversationsInSeveralCalls() {
        long a = TestUsers.newUserId();
        List<String> cids = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            String cid = ConversationId.direct(a, TestUsers.newUserId()).value();
            cids.add(cid);
            ids.addAll(writeLog(cid, a, a + 1 + i, 1, 2, false));
        }
        // all dirty at once: one round takes them in one batch, whose marks go up a hundred conversations per call
        List<String> markAll = new ArrayList<>(List.of(
                "for i, key in ipairs(KEYS) do redis.call('SADD', key, ARGV[i]) end return 1", Integer.toString(cids.size())));
        cids.forEach(cid -> markAll.add(RedisKeys.dirty(RedisKeys.bucket(cid))));
        markAll.addAll(cids);
        redis.execute("EVAL", markAll.toArray(String[]::new));

        await().atMost(WAIT).until(() -> history.countIds(ids) == 500);
        await().atMost(WAIT).until(() -> cids.stream().allMatch(cid -> "2".equals(persisted(cid)) && !dirty(cid)));
    }

    @Test
    void shouldWriteAReplayedMessageOnce() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        List<String> ids = writeLog(cid, a, b, 1, 1);
        await().atMost(WAIT).until(() -> "1".equals(persisted(cid)) && !dirty(cid));
        double conflicts = metric("parley_chat_persist_seq_conflicts_total");

        // as after a node that committed but died before moving the mark: read and inserted again
        redis.key().del(RedisKeys.persisted(cid));
        redis.set(String.class).sadd(RedisKeys.dirty(RedisKeys.bucket(cid)), cid);
        await().atMost(WAIT).until(() -> "1".equals(persisted(cid)) && !dirty(cid));
        assertEquals(1, history.countRange(cid, 1, 100));
        assertEquals(1, history.countIds(ids));
        assertEquals(conflicts, metric("parley_chat_persist_seq_conflicts_total"), "a replay is no conflict");
    }

    @Test
    void shouldReportASeqMySqlHoldsWithAnotherMessage() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        String kept = TestUsers.messageId(a);
        history.insertBatch(List.of(new ChatMessage(kept, cid, 1, a, b, null, "kept", "text", 1L, null, "k1")));
        double conflicts = metric("parley_chat_persist_seq_conflicts_total");

        List<String> clashing = writeLog(cid, a, b, 1, 1); // seq 1 again, another id: a seq assigned twice
        await().atMost(WAIT).until(() -> metric("parley_chat_persist_seq_conflicts_total") == conflicts + 1);
        assertEquals(0, history.countIds(clashing));
        assertEquals(kept, history.range(cid, 0, 10).get(0).id(), "what MySQL held is never written over");
    }

    @Test
    void shouldDrainTheWriteBehindStreamOfAnOlderVersion() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        // as an older version left it: the messages in the log and in the bucket's stream, the conversation not dirty
        List<String> ids = writeLog(cid, a, b, 1, 3, false);
        int bucket = RedisKeys.bucket(cid);
        redis.execute("XADD", RedisKeys.legacyPersistQueue(bucket), "*", "cid", cid, "seq", "3", "id", ids.get(2));

        await().atMost(WAIT).until(() -> history.countIds(ids) == 3);
        await().atMost(WAIT).until(() -> redis.key().exists(RedisKeys.legacyPersistQueue(bucket)) == false);
    }

    @Test
    void shouldLetAQuietConversationsMessagesExpireFromRedisButNeverWhileMySqlLacksOne() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        for (int i = 1; i <= 3; i++) {
            assertEquals(new MessageStore.AppendResult.Stored(i), append(cid, a, b, "q" + i));
        }
        // MySQL holds it whole: its log, mark and counter expire after quiet-after (6 h) unless more comes, and it is
        // in its bucket's filter of started conversations, so a missing counter is not taken for a new conversation
        await().atMost(WAIT).until(() -> "3".equals(persisted(cid)) && !dirty(cid) && pttl(RedisKeys.log(cid)) > 0);
        long sixHours = Duration.ofHours(6).toMillis();
        assertTrue(pttl(RedisKeys.log(cid)) <= sixHours && pttl(RedisKeys.persisted(cid)) > 0
                && pttl(RedisKeys.persisted(cid)) <= sixHours);
        assertTrue(pttl(RedisKeys.seq(cid)) > 0 && pttl(RedisKeys.seq(cid)) <= sixHours, "the counter leaves too");
        assertTrue(inStartedFilter(cid));

        // another node writes the bucket for now, so the next message stays MySQL's to get: its log must not expire
        String lease = RedisKeys.writerLease(RedisKeys.bucket(cid));
        redis.value(String.class).set(lease, "another-node", new SetArgs().px(60_000));
        assertEquals(new MessageStore.AppendResult.Stored(4), append(cid, a, b, "q4"));
        assertEquals(-1, pttl(RedisKeys.log(cid)), "the log holds a message MySQL lacks");
        assertEquals(-1, pttl(RedisKeys.seq(cid)), "the counter stays while the conversation is active");
        assertEquals("3", persisted(cid));
        redis.key().del(lease);
        await().atMost(WAIT).until(() -> "4".equals(persisted(cid)) && pttl(RedisKeys.log(cid)) > 0);

        // as if it had stayed quiet for 6 h: the conversation leaves Redis whole, nothing of it stays but its bits
        redis.key().pexpire(RedisKeys.log(cid), 1);
        redis.key().pexpire(RedisKeys.persisted(cid), 1);
        redis.key().pexpire(RedisKeys.seq(cid), 1);
        await().atMost(WAIT).until(() -> redis.key().exists(RedisKeys.log(cid), RedisKeys.persisted(cid),
                RedisKeys.seq(cid)) == 0);

        // the next message carries on above what MySQL holds (not at 1), and reaches MySQL as usual
        assertEquals(new MessageStore.AppendResult.Stored(5), append(cid, a, b, "q5"));
        await().atMost(WAIT).until(() -> "5".equals(persisted(cid)));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), history.range(cid, 0, 10).stream().map(ChatMessage::seq).toList());
    }

    @Test
    void shouldDrainTheQuietSetOfAnOlderVersion() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        for (int i = 1; i <= 2; i++) {
            assertEquals(new MessageStore.AppendResult.Stored(i), append(cid, a, b, "o" + i));
        }
        await().atMost(WAIT).until(() -> "2".equals(persisted(cid)) && !dirty(cid));
        // as an older version left it: listed in the bucket's quiet set since long ago, its keys without an expiry
        redis.key().persist(RedisKeys.log(cid));
        redis.key().persist(RedisKeys.persisted(cid));
        redis.sortedSet(String.class).zadd(RedisKeys.quiet(RedisKeys.bucket(cid)), 1, cid);
        await().atMost(WAIT).until(() -> redis.key().exists(RedisKeys.log(cid), RedisKeys.persisted(cid)) == 0);
        assertTrue(redis.sortedSet(String.class).zscore(RedisKeys.quiet(RedisKeys.bucket(cid)), cid).isEmpty());
        assertEquals("2", redis.value(String.class).get(RedisKeys.seq(cid)));
    }

    @Test
    void shouldRebuildTheStartedFilterOfABucketRedisLostFromMySql() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        for (int i = 1; i <= 3; i++) {
            assertEquals(new MessageStore.AppendResult.Stored(i), append(cid, a, b, "r" + i));
        }
        await().atMost(WAIT).until(() -> "3".equals(persisted(cid)));
        int bucket = RedisKeys.bucket(cid);
        String whole = RedisKeys.seqsWhole(bucket);
        await().atMost(WAIT).until(() -> redis.key().exists(whole));

        // the bucket loses its filter and the counter (as in a wipe): the write-behind rebuilds the filter from MySQL,
        // then sets the marker; the counter is not written back (a few bytes per conversation ever, for ever)
        redis.key().del(whole, RedisKeys.startedFilter(bucket), RedisKeys.seq(cid));
        await().atMost(WAIT).until(() -> redis.key().exists(whole));
        assertEquals(Long.toString(filterBits()), redis.value(String.class).get(whole));
        assertTrue(inStartedFilter(cid));
        assertFalse(redis.key().exists(RedisKeys.seq(cid)));
        assertEquals(new MessageStore.AppendResult.Stored(4), append(cid, a, b, "r4"));
    }

    @Test
    void shouldRebuildTheStartedFilterWhenItsSizeChanges() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        assertEquals(new MessageStore.AppendResult.Stored(1), append(cid, a, b, "z1"));
        await().atMost(WAIT).until(() -> "1".equals(persisted(cid)));
        String whole = RedisKeys.seqsWhole(RedisKeys.bucket(cid));
        // as a node with another filter size (or a version before the filter: '1') left the marker
        redis.value(String.class).set(whole, "1");
        redis.key().del(RedisKeys.startedFilter(RedisKeys.bucket(cid)));
        await().atMost(WAIT).until(() -> Long.toString(filterBits()).equals(redis.value(String.class).get(whole)));
        assertTrue(inStartedFilter(cid));
    }

    @Test
    void shouldUseANameUniqueToTheNodeAndExposeMetrics() {
        assertTrue(persister.consumer().matches(".+-[0-9a-f]{8}"), persister.consumer());
        RestAssured.given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("parley_chat_persist_messages_total"))
                .body(org.hamcrest.Matchers.containsString("parley_chat_persist_batch_seconds_count"))
                .body(org.hamcrest.Matchers.containsString("parley_chat_persist_pending"))
                .body(org.hamcrest.Matchers.containsString("parley_chat_persist_seq_conflicts_total"))
                .body(org.hamcrest.Matchers.containsString("parley_chat_persist_failures_total"));
    }

    // ---------------------------------------------------------------- helpers

    private long filterBits() {
        return config.persistence().startedFilterBits();
    }

    private boolean inStartedFilter(String cid) {
        String filter = RedisKeys.startedFilter(RedisKeys.bucket(cid));
        for (String position : StartedConversations.positions(cid, filterBits())) {
            if (redis.execute("GETBIT", filter, position).toInteger() != 1) {
                return false;
            }
        }
        return true;
    }

    private List<String> writeLog(String cid, long from, long to, int firstSeq, int lastSeq) {
        return writeLog(cid, from, to, firstSeq, lastSeq, true);
    }

    private List<String> writeLog(String cid, long from, long to, int firstSeq, int lastSeq, boolean markDirty) {
        List<String> ids = new ArrayList<>();
        List<String> command = new ArrayList<>(List.of(WRITE_LOG, "3", RedisKeys.log(cid), RedisKeys.seq(cid),
                RedisKeys.dirty(RedisKeys.bucket(cid)), cid, Long.toString(from), Long.toString(to),
                markDirty ? "1" : "0"));
        for (int seq = firstSeq; seq <= lastSeq; seq++) {
            String id = TestUsers.messageId(from);
            ids.add(id);
            command.add(Integer.toString(seq));
            command.add(id);
        }
        redis.execute("EVAL", command.toArray(String[]::new));
        return ids;
    }

    private MessageStore.AppendResult append(String cid, long from, long to, String clientMsgId) {
        ChatMessage draft = new ChatMessage(TestUsers.messageId(from), cid, 0, from, to, null, "body " + clientMsgId,
                "text", System.currentTimeMillis(), null, clientMsgId);
        return store.append(draft, false, FRAME, "test", List.of()).await().atMost(WAIT);
    }

    private String persisted(String cid) {
        return redis.value(String.class).get(RedisKeys.persisted(cid));
    }

    private long pttl(String key) {
        return redis.key().pttl(key);
    }

    private boolean dirty(String cid) {
        return redis.set(String.class).sismember(RedisKeys.dirty(RedisKeys.bucket(cid)), cid);
    }

    private long xlen(String key) {
        return redis.execute("XLEN", key).toLong();
    }

    private static double metric(String name) {
        String text = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
