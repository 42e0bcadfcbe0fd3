package io.parley.chat.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.common.redis.RedisScript;
import io.parley.testsupport.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Collectors;
import java.util.TreeSet;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisPipeline} against a real {@code redis-server} (a dedicated one: these tests flush its scripts and kill
 * its clients). Proven here: the commands one loop turn issues go out in one write and each handler gets its own
 * reply, in issue order; an error reply fails its command only; nil, empty, nested, binary-safe and large (split over
 * reads) replies decode; a script Redis does not know runs by {@code EVAL}; what waits on a dropped or overdue
 * connection fails and the next command reconnects; {@code AUTH} and {@code SELECT} come from the URL; threads outside
 * the event loops may send; on a cluster the shared Vert.x client carries the commands.
 */
class RedisPipelineTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String WRITES = "parley.chat.redis.pipeline.writes";
    private static final String COMMANDS = "parley.chat.redis.pipeline.commands";

    private static RedisServer redis;

    private final List<RedisPipeline> pipelines = new ArrayList<>();
    private Vertx vertx;
    private Redis shared;
    private SimpleMeterRegistry metrics;
    /** One event-loop context: every command a test issues through it goes out on the same loop, in order. */
    private Context loop;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void setUp() {
        redis.flushAll();
        vertx = Vertx.vertx();
        shared = Redis.createClient(vertx, redis.uri());
        metrics = new SimpleMeterRegistry();
        loop = ((VertxInternal) vertx).createEventLoopContext();
    }

    @AfterEach
    void tearDown() throws Exception {
        pipelines.forEach(pipeline -> pipeline.stop(null));
        shared.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), SECONDS);
    }

    @Test
    void shouldAnswerEachCommandInIssueOrderInOneWritePerLoopTurn() throws Exception {
        RedisPipeline pipeline = pipeline(redis.uri(), WAIT);
        int rounds = 200;
        List<Reply> answered = Collections.synchronizedList(new ArrayList<>());
        List<Reply> issued = new ArrayList<>();
        List<Reply> sets = new ArrayList<>();
        List<Reply> increments = new ArrayList<>();
        List<Reply> gets = new ArrayList<>();
        double writesBefore = counted(WRITES);

        onTheLoop(() -> {
            for (int i = 1; i <= rounds; i++) {
                sets.add(send(pipeline, issued, answered, "SET", "k:" + i, Integer.toString(i)));
                increments.add(send(pipeline, issued, answered, "INCR", "counter"));
                gets.add(send(pipeline, issued, answered, "GET", "k:" + i));
            }
        });

        for (int i = 1; i <= rounds; i++) {
            assertEquals("OK", sets.get(i - 1).get().toString());
            assertEquals(i, increments.get(i - 1).get().toInteger(), "INCR number " + i);
            assertEquals(Integer.toString(i), gets.get(i - 1).get().toString());
        }
        assertEquals(issued, answered, "handlers are called in issue order");
        issued.forEach(Reply::assertCalledOnce);
        double writes = counted(WRITES) - writesBefore;
        assertEquals(3.0 * rounds, counted(COMMANDS));
        assertTrue(writes >= 1 && writes < 3.0 * rounds / 10,
                "one write carries a loop turn's commands, but " + writes + " writes carried " + 3 * rounds);
    }

    @Test
    void shouldHandAnErrorReplyToItsOwnCommandOnly() throws Exception {
        RedisPipeline pipeline = pipeline(redis.uri(), WAIT);
        List<Reply> all = new ArrayList<>();
        Reply[] replies = new Reply[6];

        onTheLoop(() -> {
            replies[0] = send(pipeline, all, null, "SET", "a", "1");
            replies[1] = send(pipeline, all, null, "SET", "s", "not a number");
            replies[2] = send(pipeline, all, null, "INCR", "s");
            replies[3] = send(pipeline, all, null, "NOSUCHCOMMAND", "x");
            replies[4] = send(pipeline, all, null, "GET", "a");
            replies[5] = send(pipeline, all, null, "INCR", "a");
        });

        assertEquals("OK", replies[0].get().toString());
        assertEquals("OK", replies[1].get().toString());
        RedisPipeline.RedisCommandException notAnInteger = assertInstanceOf(RedisPipeline.RedisCommandException.class,
                replies[2].failure());
        assertEquals("ERR value is not an integer or out of range", notAnInteger.getMessage());
        RedisPipeline.RedisCommandException unknown = assertInstanceOf(RedisPipeline.RedisCommandException.class,
                replies[3].failure());
        assertTrue(unknown.getMessage().startsWith("ERR unknown command 'NOSUCHCOMMAND'"), unknown.getMessage());
        assertEquals("1", replies[4].get().toString());
        assertEquals(2, replies[5].get().toInteger());
        all.forEach(Reply::assertCalledOnce);
        assertEquals("OK", send("SET", "after", "errors").get().toString(), "the connection outlives error replies");
    }

    @Test
    void shouldDecodeNilArraysNestedAndBulkReplies() throws Exception {
        RedisPipeline pipeline = pipeline(redis.uri(), WAIT);
        String text = "héllo\r\nwörld ✓ 🎉\r\n$5\r\n*-1\r\n-ERR not an error\r\n";
        String big = bigValue(200 * 1024);
        String[] pushAll = new String[2 + 3000];
        pushAll[0] = "RPUSH";
        pushAll[1] = "list";
        for (int i = 0; i < 3000; i++) {
            pushAll[2 + i] = "item-" + i;
        }
        List<Reply> all = new ArrayList<>();
        List<Reply> r = new ArrayList<>();

        onTheLoop(() -> {
            r.add(send(pipeline, all, null, "GET", "missing"));                                  // 0
            r.add(send(pipeline, all, null, "SET", "empty", ""));                                // 1
            r.add(send(pipeline, all, null, "GET", "empty"));                                    // 2
            r.add(send(pipeline, all, null, "SET", "text", text));                               // 3
            r.add(send(pipeline, all, null, "GET", "text"));                                     // 4
            r.add(send(pipeline, all, null, "MGET", "text", "missing"));                         // 5
            r.add(send(pipeline, all, null, "INCRBY", "negative", "-5"));                        // 6
            r.add(send(pipeline, all, null, "XADD", "stream", "*", "f1", "v1", "f2", "v2"));     // 7
            r.add(send(pipeline, all, null, "XADD", "stream", "*", "f3", text));                 // 8
            r.add(send(pipeline, all, null, "XRANGE", "stream", "-", "+"));                      // 9
            r.add(send(pipeline, all, null, "XREAD", "COUNT", "1", "STREAMS", "nostream", "0")); // 10
            r.add(send(pipeline, all, null, "LRANGE", "nolist", "0", "-1"));                     // 11
            r.add(send(pipeline, all, null, "SET", "big", big));                                 // 12
            r.add(send(pipeline, all, null, "GET", "big"));                                      // 13
            r.add(send(pipeline, all, null, pushAll));                                           // 14
            r.add(send(pipeline, all, null, "LRANGE", "list", "0", "-1"));                       // 15
            r.add(send(pipeline, all, null, "PING"));                                            // 16
        });

        assertNull(r.get(0).get(), "a nil bulk reply");
        assertEquals("", r.get(2).get().toString(), "an empty string is not nil");
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), r.get(4).get().toBytes());
        Response mget = r.get(5).get();
        assertEquals(2, mget.size());
        assertEquals(text, mget.get(0).toString());
        assertNull(mget.get(1), "a nil element of an array");
        assertEquals(-5, r.get(6).get().toInteger());
        Response range = r.get(9).get();
        assertEquals(2, range.size());
        assertEquals(r.get(7).get().toString(), range.get(0).get(0).toString(), "the first entry's id");
        assertEquals(List.of("f1", "v1", "f2", "v2"), strings(range.get(0).get(1)));
        assertEquals(List.of("f3", text), strings(range.get(1).get(1)));
        assertNull(r.get(10).get(), "a nil array");
        assertEquals(0, r.get(11).get().size(), "an empty array");
        assertEquals("OK", r.get(12).get().toString());
        assertEquals(big, r.get(13).get().toString(), "a 200 KB value, read in several parts");
        assertEquals(3000, r.get(14).get().toInteger());
        List<String> list = strings(r.get(15).get());
        assertEquals(3000, list.size());
        for (int i = 0; i < 3000; i++) {
            assertEquals("item-" + i, list.get(i));
        }
        assertEquals("PONG", r.get(16).get().toString(), "a status reply after the large ones");
        all.forEach(Reply::assertCalledOnce);
    }

    /**
     * A lone surrogate (a client may send one, escaped, in a JSON body) is stored as '?', as String's UTF-8 encoder and
     * the Vert.x client write it — and the character after it intact: Netty's writeUtf8 wrote that one's low byte raw
     * (U+200B became a vertical tab, U+4E2D a NUL), which broke the frames built from it.
     */
    @Test
    void shouldStoreALoneSurrogateAsAQuestionMarkAndKeepWhatFollows() throws Exception {
        RedisPipeline pipeline = pipeline(redis.uri(), WAIT);
        String value = "a\uD800\u200Bb\uDBFF\u4E2D\uDC00c\uD83D";
        List<Reply> all = new ArrayList<>();
        List<Reply> r = new ArrayList<>();
        onTheLoop(() -> {
            r.add(send(pipeline, all, null, "SET", "lone", value));
            r.add(send(pipeline, all, null, "GET", "lone"));
        });
        assertEquals("OK", r.get(0).get().toString());
        assertArrayEquals(value.getBytes(StandardCharsets.UTF_8), r.get(1).get().toBytes());
        assertEquals("a?\u200Bb?\u4E2D?c?", r.get(1).get().toString());
    }

    @Test
    void shouldRunAScriptRedisDoesNotKnowYet() throws Exception {
        RedisPipeline pipeline = pipeline(redis.uri(), WAIT);
        RedisScript script = RedisScript.load("cursor_advance");
        assertEquals("+OK", redis.command("SCRIPT FLUSH"));
        assertEquals("*1 :0", redis.commandArgs("SCRIPT", "EXISTS", script.sha1()));

        Response moved = runScript(pipeline, script, "cursors:a", "cursors:b", "c1", "5", "c2", "3");

        assertEquals(4, moved.toInteger(), "two cursors in each of two hashes");
        assertEquals("5", redis.commandArgs("HGET", "cursors:a", "c1"));
        assertEquals("3", redis.commandArgs("HGET", "cursors:b", "c2"));
        assertEquals("*1 :1", redis.commandArgs("SCRIPT", "EXISTS", script.sha1()), "EVAL cached the script");
        Response movedAgain = runScript(pipeline, script, "cursors:a", "cursors:b", "c1", "4", "c2", "7");
        assertEquals(2, movedAgain.toInteger(), "cursors never go down: only c2 moved, in both hashes");
        assertEquals("5", redis.commandArgs("HGET", "cursors:b", "c1"));
        assertEquals("7", redis.commandArgs("HGET", "cursors:a", "c2"));
    }

    @Test
    void shouldFailWhatWaitsWhenTheConnectionDropsAndReconnect() throws Exception {
        pipeline(redis.uri(), WAIT);
        assertEquals("OK", send("SET", "key", "before").get().toString());
        Reply blocked = send("BLPOP", "nothing", "0");
        Reply behind = send("GET", "key");
        await().atMost(WAIT).until(() -> redis.info("clients").contains("blocked_clients:1"));

        String killed = redis.command("CLIENT KILL TYPE normal");

        assertTrue(killed.matches(":[1-9][0-9]*"), "killed the pipeline's connection: " + killed);
        assertEquals("connection to Redis lost", blocked.failure().getMessage());
        assertEquals("connection to Redis lost", behind.failure().getMessage());
        await().atMost(WAIT).ignoreExceptions()
                .untilAsserted(() -> assertEquals("before", send("GET", "key").get().toString()));
        blocked.assertCalledOnce();
        behind.assertCalledOnce();
    }

    @Test
    void shouldFailACommandWhoseReplyIsOverdue() throws Exception {
        Duration timeout = Duration.ofSeconds(2);
        pipeline(redis.uri(), timeout);
        assertEquals("PONG", send("PING").get().toString());
        long start = System.nanoTime();

        Reply blocked = send("BLPOP", "nothing", "0");

        assertEquals("connection to Redis lost", blocked.failure().getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(timeout) >= 0, "failed by the timeout");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertEquals("PONG", send("PING").get().toString()));
        blocked.assertCalledOnce();
    }

    /**
     * Late but flowing: commands issued faster than Redis gets through them (one every 10 ms, 20 ms of work each)
     * queue up, and the oldest waits longer than the timeout while replies keep arriving. Dropping the connection
     * then would only fail everything in flight and have every client resend (an overloaded node turned into a
     * collapsing one): nothing fails. Meanwhile the loop's backlog reading (the send path's overload signal) shows
     * how long the oldest has waited.
     */
    @Test
    void shouldKeepAConnectionWhoseRepliesAreLateButFlowing() throws Exception {
        Duration timeout = Duration.ofSeconds(1);
        RedisPipeline pipeline = pipeline(redis.uri(), timeout);
        assertEquals("PONG", send("PING").get().toString());
        int commands = 250;
        String padding = "x".repeat(4096);
        List<Reply> slow = Collections.synchronizedList(new ArrayList<>());
        long[] backlog = {0};
        CompletableFuture<Void> issued = new CompletableFuture<>();
        loop.runOnContext(v -> vertx.setPeriodic(10, timer -> {
            backlog[0] = Math.max(backlog[0], pipeline.replyBacklogNanos());
            Reply reply = new Reply(null);
            slow.add(reply);
            // 4 kB of padding: Redis reads at most 16 kB at a time and answers what it read, so replies come every
            // few commands (a read of many small commands would be answered only after all of them: silence)
            pipeline.send(reply, "EVAL", RedisServer.BUSY_SCRIPT, "0", "20000", padding);
            if (slow.size() == commands) {
                vertx.cancelTimer(timer);
                issued.complete(null);
            }
        }));
        issued.get(WAIT.toSeconds(), SECONDS);

        for (Reply reply : slow) {
            assertEquals(1L, reply.get().toLong(), "answered, not failed by the timeout");
            reply.assertCalledOnce();
        }
        assertTrue(backlog[0] > timeout.toNanos(), "the oldest waited longer than the timeout: "
                + Duration.ofNanos(backlog[0]));
        onTheLoop(() -> backlog[0] = pipeline.replyBacklogNanos());
        assertEquals(0, backlog[0], "nothing awaits a reply any more");
    }

    @Test
    void shouldAuthenticateAndSelectTheDatabaseOfTheUrl() throws Exception {
        assertEquals("+OK", redis.commandArgs("ACL", "SETUSER", "pipeliner", "on", ">s3cret", "~*", "&*", "+@all"));
        pipeline("redis://pipeliner:s3cret@127.0.0.1:" + redis.port() + "/3", WAIT);

        String client = send("CLIENT", "INFO").get().toString();
        assertEquals("OK", send("SET", "in-db-3", "yes").get().toString());

        assertTrue(client.contains(" user=pipeliner "), client);
        assertTrue(client.contains(" db=3 "), client);
        assertEquals(":0", redis.command("EXISTS in-db-3"), "not in database 0");
    }

    @Test
    void shouldAcceptCommandsFromThreadsOutsideTheEventLoops() throws Exception {
        RedisPipeline pipeline = pipeline(redis.uri(), WAIT);
        assertFalse(Context.isOnEventLoopThread());

        Reply set = new Reply(null);
        pipeline.send(set, "SET", "from", "junit");
        assertEquals("OK", set.get().toString());
        Reply get = new Reply(null);
        pipeline.send(get, "GET", "from");
        assertEquals("junit", get.get().toString());
        assertTrue(set.onEventLoop && get.onEventLoop, "handlers run on an event loop");

        // from a thread outside the loops commands are spread over the lanes: each answered once, with its own reply
        List<Reply> increments = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            Reply increment = new Reply(null);
            pipeline.send(increment, "INCR", "n");
            increments.add(increment);
        }
        Reply failing = new Reply(null);
        pipeline.send(failing, "INCR", "from");
        Set<Long> counts = new TreeSet<>();
        for (Reply increment : increments) {
            counts.add(increment.get().toLong());
        }
        assertEquals(LongStream.rangeClosed(1, 50).boxed().collect(Collectors.toSet()), counts, "every INCR once");
        assertInstanceOf(RedisPipeline.RedisCommandException.class, failing.failure(), "the failure is its own");
        increments.forEach(Reply::assertCalledOnce);
    }

    @Test
    void shouldUseTheSharedClientOnACluster() throws Exception {
        RedisPipeline pipeline = pipeline("cluster", redis.uri(), true, WAIT);
        RedisPipeline switchedOff = pipeline("standalone", redis.uri(), false, WAIT);

        assertFalse(pipeline.pipelined());
        assertFalse(switchedOff.pipelined());
        assertTrue(pipeline(redis.uri(), WAIT).pipelined());
        assertEquals("OK", send(pipeline, "SET", "through", "shared").get().toString());
        assertEquals("shared", send(pipeline, "GET", "through").get().toString());
        Reply fromJunit = new Reply(null);
        pipeline.send(fromJunit, "GET", "through");
        assertEquals("shared", fromJunit.get().toString());
        assertNull(send(pipeline, "GET", "missing").get());
        assertEquals("ERR value is not an integer or out of range", assertInstanceOf(
                RedisPipeline.RedisCommandException.class, send(pipeline, "INCR", "through").failure()).getMessage());
        assertEquals(0.0, counted(WRITES), "nothing went on a pipelined connection");
    }

    // --- helpers ---

    private RedisPipeline pipeline(String uri, Duration timeout) {
        return pipeline("standalone", uri, true, timeout);
    }

    private RedisPipeline pipeline(String clientType, String uri, boolean pipelining, Duration timeout) {
        RedisPipeline pipeline = new RedisPipeline(vertx, shared, chatConfig(new Settings(pipelining, 20_000, timeout)),
                metrics, clientType, Optional.of(List.of(uri)), Optional.empty());
        pipelines.add(pipeline);
        return pipeline;
    }

    /** The only part of {@link ChatConfig} that {@link RedisPipeline} reads. */
    private record Settings(boolean pipeline, int maxPending, Duration timeout) implements ChatConfig.RedisClient {
    }

    private static ChatConfig chatConfig(ChatConfig.RedisClient redisClient) {
        return (ChatConfig) Proxy.newProxyInstance(ChatConfig.class.getClassLoader(), new Class<?>[]{ChatConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "redis" -> redisClient;
                    case "toString" -> "ChatConfig(" + redisClient + ")";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException("RedisPipeline needs no " + method.getName());
                });
    }

    /** Runs {@code issue} on the test's event-loop context (one loop turn) and waits until it has run. */
    private void onTheLoop(Runnable issue) throws Exception {
        CompletableFuture<Void> ran = new CompletableFuture<>();
        loop.runOnContext(v -> {
            try {
                assertTrue(Context.isOnEventLoopThread());
                issue.run();
                ran.complete(null);
            } catch (Throwable e) {
                ran.completeExceptionally(e);
            }
        });
        ran.get(WAIT.toSeconds(), SECONDS);
    }

    /** One command, issued on the test's event loop, on the last pipeline the test made. */
    private Reply send(String... args) throws Exception {
        return send(pipelines.get(pipelines.size() - 1), args);
    }

    private Reply send(RedisPipeline pipeline, String... args) throws Exception {
        Reply reply = new Reply(null);
        onTheLoop(() -> pipeline.send(reply, args));
        return reply;
    }

    /** Within {@link #onTheLoop}: sends a command, noting its handler in {@code issued}. */
    private static Reply send(RedisPipeline pipeline, List<Reply> issued, List<Reply> answered, String... args) {
        Reply reply = new Reply(answered);
        issued.add(reply);
        pipeline.send(reply, args);
        return reply;
    }

    private Response runScript(RedisPipeline pipeline, RedisScript script, String... keysAndArgs) throws Exception {
        Reply reply = new Reply(null);
        onTheLoop(() -> pipeline.run(script, 2, keysAndArgs, reply));
        Response result = reply.get();
        reply.assertCalledOnce();
        return result;
    }

    private double counted(String counter) {
        return metrics.counter(counter).count();
    }

    private static List<String> strings(Response array) {
        List<String> out = new ArrayList<>();
        array.forEach(element -> out.add(element.toString()));
        return out;
    }

    /** {@code length} characters mixing one-, two- and three-byte UTF-8, CR and LF. */
    private static String bigValue(int length) {
        String pattern = "abcdefghij\r\n0123456789é€";
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; out.length() < length; i++) {
            out.append(pattern.charAt(i % pattern.length()));
            if (i % 997 == 0) {
                out.append(i);
            }
        }
        return out.toString();
    }

    /** A handler that keeps its reply (handlers run on event-loop threads) and counts its calls. */
    private static final class Reply implements RedisPipeline.ReplyHandler {
        private final CompletableFuture<Response> result = new CompletableFuture<>();
        private final AtomicInteger calls = new AtomicInteger();
        /** Where the handler notes itself when called (so tests see the order of replies); may be null. */
        private final List<Reply> answered;
        private volatile boolean onEventLoop;

        Reply(List<Reply> answered) {
            this.answered = answered;
        }

        @Override
        public void handle(Response reply, Throwable failure) {
            calls.incrementAndGet();
            onEventLoop = Context.isOnEventLoopThread();
            if (answered != null) {
                answered.add(this);
            }
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(reply);
            }
        }

        Response get() throws Exception {
            return result.get(WAIT.toSeconds(), SECONDS);
        }

        Throwable failure() {
            return assertThrows(ExecutionException.class, this::get, "expected a failure").getCause();
        }

        void assertCalledOnce() {
            assertEquals(1, calls.get(), "handler calls");
        }
    }
}
