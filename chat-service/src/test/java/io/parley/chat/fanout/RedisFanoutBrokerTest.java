package io.parley.chat.fanout;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testsupport.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisFanoutBroker} against a real {@code redis-server}: what Redis sends the node follows the order in which
 * interest changed, whichever threads changed it, and a dropped connection comes back with every channel and a gap.
 */
class RedisFanoutBrokerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CHANNEL = "chat:g:{g1}";

    private static RedisServer redis;

    private Vertx vertx;
    private Redis client;
    private RedisFanoutBroker broker;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicReference<Context> pushContext = new AtomicReference<>();
    private final AtomicInteger gaps = new AtomicInteger();

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
        vertx = Vertx.vertx();
        client = Redis.createClient(vertx, redis.uri());
        broker = new RedisFanoutBroker(client, vertx, "standalone", Optional.empty());
        broker.setListener(new FanoutBroker.Listener() {
            @Override
            public void onMessage(String channel, String payload) {
                pushContext.set(Vertx.currentContext());
                received.add(channel + " " + payload);
            }

            @Override
            public void onGap() {
                gaps.incrementAndGet();
            }
        });
        broker.start(null);
        await().atMost(WAIT).until(broker::isConnected);
    }

    @AfterEach
    void tearDown() throws Exception {
        broker.stop(null);
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), SECONDS);
    }

    /**
     * The interleaving that lost a group on a node in CI: one thread drops the node's last interest in a channel
     * and, right after, the pub/sub connection's own event loop takes it up again. Written as called, Redis sees
     * SUBSCRIBE before UNSUBSCRIBE and the channel falls silent while the node counts it as held.
     */
    @Test
    void shouldKeepAChannelWhoseInterestWasDroppedElsewhereAndTakenUpOnTheConnectionsLoop() throws Exception {
        subscribed(CHANNEL);
        Context connectionLoop = pushContext.get();
        Object interest = new Object(); // callers serialise interest changes per channel, as LocalConnections does

        CompletableFuture<Void> done = new CompletableFuture<>();
        connectionLoop.runOnContext(v -> {
            try {
                Thread elsewhere = new Thread(() -> {
                    synchronized (interest) {
                        broker.unsubscribe(CHANNEL);
                    }
                });
                elsewhere.start();
                elsewhere.join();
                synchronized (interest) {
                    broker.subscribe(CHANNEL);
                }
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        done.get(WAIT.toSeconds(), SECONDS);

        assertEquals(1, broker.subscriptionCount());
        assertReaches(CHANNEL, "after");
    }

    @Test
    void shouldFollowManyInterestChangesFromSeveralThreadsInCallOrder() throws Exception {
        Object interest = new Object();
        int changes = 400;
        List<Thread> threads = new CopyOnWriteArrayList<>();
        AtomicInteger turn = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                while (true) {
                    synchronized (interest) {
                        int n = turn.getAndIncrement();
                        if (n >= changes) {
                            return;
                        }
                        if (n % 2 == 0) {
                            broker.subscribe(CHANNEL);
                        } else {
                            broker.unsubscribe(CHANNEL);
                        }
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        subscribed(CHANNEL); // the last change: interest held
        assertReaches(CHANNEL, "after");
        assertEquals(1, broker.subscriptionCount());
    }

    @Test
    void shouldResubscribeEverythingAndReportAGapWhenTheConnectionDrops() {
        subscribed("chat:u:{1}");
        subscribed("chat:u:{2}");
        String killed = redis.command("CLIENT KILL TYPE pubsub");
        assertTrue(killed.startsWith(":") && Long.parseLong(killed.substring(1)) >= 1, killed);

        await().atMost(WAIT).until(() -> gaps.get() == 1);
        assertReaches("chat:u:{1}", "back");
        assertReaches("chat:u:{2}", "back");
    }

    private void subscribed(String channel) {
        broker.subscribe(channel).await().atMost(WAIT);
        assertReaches(channel, "subscribed");
    }

    /** Publishes until the node receives it: the SUBSCRIBE may still be on its way. */
    private void assertReaches(String channel, String payload) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            redis.commandArgs("PUBLISH", channel, payload);
            return received.contains(channel + " " + payload);
        });
    }
}
