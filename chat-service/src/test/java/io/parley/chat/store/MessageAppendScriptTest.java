package io.parley.chat.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.common.redis.RedisScript;
import io.parley.testsupport.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code message_append.lua} against a real Redis: de-duplication and edit checks kept in a bounded window per sender
 * and conversation (no key per message), and a seq that never starts again at 1 when Redis lost the counter or it
 * left with a quiet conversation (the bucket's filter of started conversations holds it).
 */
class MessageAppendScriptTest {

    private static final RedisScript APPEND = RedisScript.load("message_append");
    private static final String CID = "d:7:8";
    private static final long ALICE = 7;
    private static final long BOB = 8;
    private static final int GENERATION = 4;
    private static final long EDIT_WINDOW_MS = 60_000;
    private static final long T0 = 1_800_000_000_000L;
    private static final long FILTER_BITS = 4096;

    private static RedisServer redis;
    private static Vertx vertx;
    private static Redis client;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        client = Redis.createClient(vertx, redis.uri());
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(30, SECONDS);
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void clean() {
        redis.flushAll();
    }

    @Test
    void aNewConversationShouldWriteNothingUntilMySqlGaveItsFloor() {
        assertEquals("no-seq", status(append(message(ALICE, "c1", "text", null, T0), null)));
        assertEquals(":0", redis.command("DBSIZE"), "nothing written before the floor is known");

        Response stored = append(message(ALICE, "c1", "text", null, T0), 0L);
        assertEquals("ok", status(stored));
        assertEquals(1, stored.get(1).toLong());
        assertEquals(2, append(message(ALICE, "c2", "text", null, T0), null).get(1).toLong(), "then the counter counts");
    }

    @Test
    void aNewConversationShouldStartAtOneWithoutMySqlOnceTheBucketsFilterIsWhole() {
        redis.command("SET " + RedisKeys.seqsWhole(RedisKeys.bucket(CID)) + " " + FILTER_BITS);
        Response stored = append(message(ALICE, "c1", "text", null, T0), null);
        assertEquals("ok", status(stored));
        assertEquals(1, stored.get(1).toLong());
    }

    @Test
    void aFilterOfAnotherSizeShouldNotBeTrusted() {
        redis.command("SET " + RedisKeys.seqsWhole(RedisKeys.bucket(CID)) + " " + (FILTER_BITS * 2));
        assertEquals("no-seq", status(append(message(ALICE, "c1", "text", null, T0), null)));
        assertEquals(":0", redis.command("EXISTS " + RedisKeys.seq(CID)), "nothing written before the floor is known");
    }

    @Test
    void aCounterThatLeftWithAQuietConversationShouldContinueAboveMySqlNotStartAgain() {
        redis.command("SET " + RedisKeys.seqsWhole(RedisKeys.bucket(CID)) + " " + FILTER_BITS);
        append(message(ALICE, "c1", "text", null, T0), null);
        append(message(ALICE, "c2", "text", null, T0), null);
        // as persist_done.lua leaves a conversation MySQL holds whole: in the filter, then quiet long enough to expire
        String[] positions = StartedConversations.positions(CID, FILTER_BITS);
        for (String position : positions) {
            redis.command("SETBIT " + RedisKeys.startedFilter(RedisKeys.bucket(CID)) + " " + position + " 1");
        }
        redis.command("DEL " + RedisKeys.seq(CID) + " " + RedisKeys.log(CID));

        assertEquals("no-seq", status(append(message(ALICE, "c3", "text", null, T0), null)), "not taken for a new one");
        assertEquals(":0", redis.command("EXISTS " + RedisKeys.seq(CID)), "nothing written before the floor is known");
        assertEquals(3, append(message(ALICE, "c3", "text", null, T0), 2L).get(1).toLong(), "above MySQL's 2");
    }

    @Test
    void aLostCounterShouldCarryOnAboveMySqlAndAboveTheLog() {
        append(message(ALICE, "c1", "text", null, T0), 0L);
        append(message(ALICE, "c2", "text", null, T0), null);
        redis.command("DEL " + RedisKeys.seq(CID)); // Redis lost the counter; MySQL says 1, the log holds 2

        assertEquals("no-seq", status(append(message(ALICE, "c3", "text", null, T0), null)));
        assertEquals(3, append(message(ALICE, "c3", "text", null, T0), 1L).get(1).toLong(), "above the log's 2");

        redis.flushAll(); // everything lost; MySQL held 40
        assertEquals(41, append(message(ALICE, "c4", "text", null, T0), 40L).get(1).toLong());
    }

    @Test
    void aResendShouldGetTheOriginalAnswerAndStoreNothing() {
        Msg first = message(ALICE, "c1", "text", null, T0);
        append(first, 0L);
        Response again = append(message(ALICE, "c1", "text", null, T0 + 5), null);

        assertEquals("dup", status(again));
        assertEquals(first.id + "|1|" + T0, again.get(1).toString());
        assertEquals(":1", redis.command("XLEN " + RedisKeys.log(CID)));
        // the same clientMsgId from the other participant is another message
        assertEquals("ok", status(append(message(BOB, "c1", "text", null, T0), null)));
    }

    @Test
    void redisShouldHoldABoundedWindowPerSenderNotAKeyPerMessage() {
        append(message(ALICE, "m0", "text", null, T0), 0L);
        String keysAfterOne = redis.command("DBSIZE");
        int sent = 5 * GENERATION + 1;
        for (int i = 1; i < sent; i++) {
            assertEquals("ok", status(append(message(ALICE, "m" + i, "text", null, T0 + i), null)));
        }

        // the counter, the log, the bucket's dirty set, the current and the previous window: no key per message
        assertEquals(":5", redis.command("DBSIZE"), "keys after " + sent + " messages (" + keysAfterOne + " after one)");
        long current = Long.parseLong(redis.command("HLEN " + RedisKeys.recentSends(CID, ALICE, false)).substring(1));
        long previous = Long.parseLong(redis.command("HLEN " + RedisKeys.recentSends(CID, ALICE, true)).substring(1));
        assertTrue(current < 2 * GENERATION && previous == 2 * GENERATION, current + " / " + previous + " fields");
        long ttl = Long.parseLong(redis.command("PTTL " + RedisKeys.recentSends(CID, ALICE, false)).substring(1));
        assertTrue(ttl > 0 && ttl <= 86_400_000L, "each window expires a day after its last write: " + ttl);

        // the latest GENERATION messages are always recognised; far older ones are not (the documented window)
        for (int i = sent - GENERATION; i < sent; i++) {
            assertEquals("dup", status(append(message(ALICE, "m" + i, "text", null, T0), null)), "m" + i);
        }
        assertEquals("ok", status(append(message(ALICE, "m0", "text", null, T0), null)), "m0 is past the window");
    }

    @Test
    void editsShouldBeCheckedAgainstTheSendersWindowAndTheEditWindow() {
        Msg original = message(ALICE, "o1", "text", null, T0);
        append(original, 0L);

        assertEquals("ok", status(append(message(ALICE, "e1", "edit", original.id, T0 + 1_000), null)));
        assertEquals("not-yours", status(append(message(BOB, "e2", "edit", original.id, T0 + 1_000), null)));
        assertEquals("not-editable", status(append(message(ALICE, "e3", "edit", idOf(ALICE, 999), T0 + 1_000), null)),
                "an unknown message");
        assertEquals("not-editable", status(append(message(BOB, "e4", "delete", "2".repeat(34), T0), null)),
                "not a message id at all");
        assertEquals("not-editable",
                status(append(message(ALICE, "e5", "edit", original.id, T0 + EDIT_WINDOW_MS + 1), null)),
                "past the edit window");

        assertEquals("ok", status(append(message(ALICE, "d1", "delete", original.id, T0 + 2_000), null)));
        assertEquals("not-editable", status(append(message(ALICE, "e6", "edit", original.id, T0 + 3_000), null)),
                "a deleted message");
        assertEquals("delete|3|", redis.commandArgs("HGET", RedisKeys.changes(CID), original.id));
    }

    @Test
    void aCounterBehindWhatTheNodeSawHandedOutShouldMoveOnPastItNotHandItOutAgain() {
        for (int i = 1; i <= 5; i++) {
            append(message(ALICE, "b" + i, "text", null, T0), i == 1 ? 0L : null);
        }
        // Redis came back behind: it lost the last two INCRs (and their log entries)
        redis.commandArgs("SET", RedisKeys.seq(CID), "3");
        redis.commandArgs("XTRIM", RedisKeys.log(CID), "MAXLEN", "3");

        Response reply = append(message(BOB, "b6", "text", null, T0), null, 5L);
        assertEquals("ok", status(reply));
        assertEquals(6, reply.get(1).toLong(), "past the 5 the node saw handed out, not 4 again");
        assertEquals("fenced", reply.get(2).toString(), "told, so the node counts and logs it");
        assertEquals("6", redis.commandArgs("GET", RedisKeys.seq(CID)));
        assertEquals("6-0", lastLogId(), "logged under its new seq");

        reply = append(message(BOB, "b7", "text", null, T0), null, 6L);
        assertEquals(7, reply.get(1).toLong());
        assertEquals(2, reply.size(), "a counter that is not behind is not fenced");
    }

    private static String lastLogId() {
        try {
            return client.send(Request.cmd(Command.XREVRANGE).arg(RedisKeys.log(CID)).arg("+").arg("-").arg("COUNT").arg(1))
                    .toCompletionStage().toCompletableFuture().get(30, SECONDS).get(0).get(0).toString();
        } catch (Exception e) {
            throw new AssertionError("XREVRANGE failed", e);
        }
    }

    private record Msg(long from, String cmid, String kind, String target, long ts, String id) {
    }

    private static int nextId;

    private static Msg message(long from, String cmid, String kind, String target, long ts) {
        return new Msg(from, cmid, kind, target, ts, idOf(from, ++nextId));
    }

    private static String idOf(long user, long sequence) {
        return String.format("20270115080000%010d%010d", user, sequence);
    }

    private static String status(Response reply) {
        return reply.get(0).toString();
    }

    private static Response append(Msg m, Long seqFloor) {
        return append(m, seqFloor, null);
    }

    /**
     * The keys and arguments {@link MessageStore} passes (one-shard Redis, no optional keys), {@code handedOut}: the
     * highest seq the node saw handed out in the conversation, or null.
     */
    private static Response append(Msg m, Long seqFloor, Long handedOut) {
        long targetSender = m.target == null ? m.from : MessageStore.senderOfMessageId(m.target, m.from);
        List<String> args = new ArrayList<>(List.of(
                RedisKeys.seq(CID), RedisKeys.log(CID), RedisKeys.members(CID),
                RedisKeys.dirty(RedisKeys.bucket(CID)),
                RedisKeys.recentSends(CID, m.from, false), RedisKeys.recentSends(CID, m.from, true),
                RedisKeys.changes(CID),
                RedisKeys.recentSends(CID, targetSender, false), RedisKeys.recentSends(CID, targetSender, true),
                RedisKeys.seqsWhole(RedisKeys.bucket(CID)), RedisKeys.startedFilter(RedisKeys.bucket(CID))));
        int keys = args.size();
        args.addAll(List.of(CID, m.id, Long.toString(m.from), Long.toString(m.from == ALICE ? BOB : ALICE), m.kind,
                "body of " + m.cmid, Long.toString(m.ts), m.target == null ? "" : m.target, m.cmid, "86400000", "0",
                "{\"seq\":", "}", "node:1", Long.toString(EDIT_WINDOW_MS), "",
                seqFloor == null ? "" : seqFloor.toString(), Integer.toString(GENERATION), Long.toString(FILTER_BITS)));
        args.addAll(List.of(StartedConversations.positions(CID, FILTER_BITS)));
        args.add(handedOut == null ? "" : handedOut.toString());
        Request eval = Request.cmd(Command.EVAL).arg(APPEND.body()).arg(keys);
        args.forEach(eval::arg);
        try {
            return client.send(eval).toCompletionStage().toCompletableFuture().get(30, SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the script failed", e);
        }
    }
}
