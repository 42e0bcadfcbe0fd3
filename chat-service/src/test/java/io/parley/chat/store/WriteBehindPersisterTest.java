package io.parley.chat.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.chat.protocol.ChatMessage;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.support.IdServiceTestResource;
import io.parley.chat.support.ShortPersistenceProfile;
import io.parley.chat.support.TestUsers;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.redis.datasource.stream.XPendingSummary;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The write-behind against real Redis and MariaDB: durable, exactly once in MySQL, crash-safe, trims safely. */
@QuarkusTest
@TestProfile(ShortPersistenceProfile.class)
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_chat"))
@QuarkusTestResource(IdServiceTestResource.class)
class WriteBehindPersisterTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String[] FRAME = {"{\"seq\":", "}"};
    /**
     * Writes log and persist-queue entries as the append script does, for chosen seqs; with a ghost consumer
     * name, that consumer then reads every undelivered entry of the queue and never acknowledges (a crashed node).
     */
    private static final String WRITE_ENTRIES = """
            local log, persist = KEYS[1], KEYS[2]
            local cid, from, to, ghost, with_log = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
            pcall(redis.call, 'XGROUP', 'CREATE', persist, 'mysql-writer', '0', 'MKSTREAM')
            for i = 6, #ARGV, 2 do
              local seq, id = ARGV[i], ARGV[i + 1]
              if with_log == '1' then
                redis.call('XADD', log, seq .. '-0', 'id', id, 'from', from, 'to', to, 'kind', 'text',
                  'body', 'm' .. seq, 'ts', '1700000000000', 'target', '', 'cmid', 'c' .. seq)
              end
              redis.call('XADD', persist, '*', 'cid', cid, 'seq', seq, 'id', id, 'from', from, 'to', to,
                'kind', 'text', 'body', 'm' .. seq, 'ts', '1700000000000', 'target', '', 'cmid', 'c' .. seq)
            end
            if ghost ~= '' then
              redis.call('XREADGROUP', 'GROUP', 'mysql-writer', ghost, 'COUNT', 100000, 'STREAMS', persist, '>')
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

    @Test
    void shouldMoveAppendedMessagesToMySqlThenAcknowledgeAndTrimTheLog() {
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
        await().atMost(WAIT).until(() -> "12".equals(persisted(cid)));
        // the log keeps the hot messages (5): seqs 8..12
        await().atMost(WAIT).until(() -> xlen(RedisKeys.log(cid)) == ShortPersistenceProfile.HOT_MESSAGES);
        assertEquals("8-0", redis.stream(String.class).xrange(RedisKeys.log(cid), StreamRange.of("-", "+"), 1).get(0).id());
        // acknowledged and deleted from the persist queue
        String queue = RedisKeys.persistQueue(store.persistShard(cid));
        assertTrue(entriesOf(queue, cid).isEmpty(), "persist entries of " + cid + " left in " + queue);
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
    void shouldClaimEntriesLeftPendingByACrashedConsumer() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        String queue = RedisKeys.persistQueue(store.persistShard(cid));
        String ghost = "crashed-node-" + a;
        List<String> ids = writeEntries(cid, a, b, ghost, 1, 4);

        assertEquals(4, pendingOf(queue, ghost), "the crashed consumer holds the entries");
        assertEquals(0, history.countIds(ids), "nothing is written before the claim");

        await().atMost(WAIT).until(() -> history.countIds(ids) == 4);
        await().atMost(WAIT).until(() -> pendingOf(queue, ghost) == 0 && entriesOf(queue, cid).isEmpty());
        await().atMost(WAIT).until(() -> "4".equals(persisted(cid)));
        assertEquals(List.of(1L, 2L, 3L, 4L), history.range(cid, 0, 10).stream().map(ChatMessage::seq).toList());
    }

    @Test
    void shouldNeverTrimTheLogOverMessagesMySqlDoesNotHoldYet() throws InterruptedException {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        String ghost = "crashed-node-" + a;
        // seqs 1-2 are held (un-committed) by a crashed consumer; 3-8 reach this node's write-behind
        List<String> held = writeEntries(cid, a, b, ghost, 1, 2);
        List<String> later = writeEntries(cid, a, b, "", 3, 8);

        await().atMost(WAIT).until(() -> history.countIds(later) == 6);
        Thread.sleep(300); // the batch's marks are set right after its commit
        assertNotEquals("8", persisted(cid), "the mark may not pass seqs MySQL lacks");
        assertEquals(8, xlen(RedisKeys.log(cid)), "the log keeps every message MySQL may lack");

        // once claimed and written, the holes are filled; the next batch raises the mark and trims
        await().atMost(WAIT).until(() -> history.countIds(held) == 2);
        writeEntries(cid, a, b, "", 9, 9);
        await().atMost(WAIT).until(() -> "9".equals(persisted(cid)));
        await().atMost(WAIT).until(() -> xlen(RedisKeys.log(cid)) == ShortPersistenceProfile.HOT_MESSAGES);
        assertEquals(9, history.range(cid, 0, 100).size());
    }

    @Test
    void shouldWriteAReplayedEntryOnce() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        String queue = RedisKeys.persistQueue(store.persistShard(cid));
        String id = TestUsers.messageId(a);
        // the same entry twice, as after a node that committed but died before XACK
        for (int i = 0; i < 2; i++) {
            runWriteEntries(cid, a, b, "", i == 0, List.of("1", id));
        }
        await().atMost(WAIT).until(() -> entriesOf(queue, cid).isEmpty());
        assertEquals(1, history.countRange(cid, 1, 100));
        assertEquals(1, history.countIds(List.of(id)));
    }

    @Test
    void shouldUseAConsumerNameUniqueToTheNodeAndExposeMetrics() {
        assertTrue(persister.consumer().matches(".+-[0-9a-f]{8}"), persister.consumer());
        io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("parley_chat_persist_messages_total"))
                .body(org.hamcrest.Matchers.containsString("parley_chat_persist_batch_seconds_count"))
                .body(org.hamcrest.Matchers.containsString("parley_chat_persist_pending"))
                .body(org.hamcrest.Matchers.containsString("parley_chat_persist_failures_total"));
    }

    // ---------------------------------------------------------------- helpers

    private List<String> writeEntries(String cid, long from, long to, String ghost, int firstSeq, int lastSeq) {
        List<String> ids = new ArrayList<>();
        List<String> args = new ArrayList<>();
        for (int seq = firstSeq; seq <= lastSeq; seq++) {
            String id = TestUsers.messageId(from);
            ids.add(id);
            args.add(Integer.toString(seq));
            args.add(id);
        }
        runWriteEntries(cid, from, to, ghost, true, args);
        redis.value(String.class).set(RedisKeys.seq(cid), Integer.toString(lastSeq));
        return ids;
    }

    private void runWriteEntries(String cid, long from, long to, String ghost, boolean withLog, List<String> seqAndIds) {
        List<String> command = new ArrayList<>(List.of(WRITE_ENTRIES, "2", RedisKeys.log(cid),
                RedisKeys.persistQueue(store.persistShard(cid)), cid, Long.toString(from), Long.toString(to), ghost,
                withLog ? "1" : "0"));
        command.addAll(seqAndIds);
        redis.execute("EVAL", command.toArray(String[]::new));
    }

    private String persisted(String cid) {
        return redis.value(String.class).get(RedisKeys.persisted(cid));
    }

    private long xlen(String key) {
        return redis.execute("XLEN", key).toLong();
    }

    private long pendingOf(String queue, String consumer) {
        XPendingSummary summary = redis.stream(String.class).xpending(queue, RedisKeys.PERSIST_GROUP);
        Map<String, Long> consumers = summary.getConsumers();
        Long count = consumers == null ? null : consumers.get(consumer);
        return count == null ? 0 : count;
    }

    private List<StreamMessage<String, String, String>> entriesOf(String queue, String cid) {
        return redis.stream(String.class).xrange(queue, StreamRange.of("-", "+")).stream()
                .filter(e -> e.payload() != null && cid.equals(e.payload().get("cid")))
                .toList();
    }
}
