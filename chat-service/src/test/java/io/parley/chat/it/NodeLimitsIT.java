package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.chat.protocol.CloseCodes;
import io.parley.testsupport.ServiceProcess;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A node with tight limits: slow consumers and silent peers are closed with their codes, and lose nothing. */
class NodeLimitsIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static ServiceProcess node;

    @BeforeAll
    static void start() {
        Map<String, String> env = new HashMap<>(Platform.get().chatEnv());
        env.put("PARLEY_CHAT_LIMITS_MAX_UNACKED", "50");
        env.put("PARLEY_CHAT_DELIVERY_SYNC_PAGE_SIZE", "40");
        env.put("PARLEY_CHAT_LIMITS_FRAMES_PER_SECOND", "5000");
        env.put("PARLEY_CHAT_LIMITS_FRAME_BURST", "5000");
        env.put("PARLEY_CHAT_DELIVERY_IDLE_TIMEOUT", "3S");
        node = ServiceProcess.start("chat-limits", env);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void shouldCloseSlowConsumerWithoutSlowingTheSenderAndLoseNothing() {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        String conversation = "d:" + Math.min(alice.id(), bob.id()) + ":" + Math.max(alice.id(), bob.id());
        int total = 80;
        ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor();
        try (ChatClient a = ChatClient.connectAndSync(node.baseUrl(), alice.token());
             ChatClient b = ChatClient.connectAndSync(node.baseUrl(), bob.token())) {
            // bob reads and never acknowledges, but stays active: this node's idle timeout is 3 s, and on a busy
            // machine the flood can take longer than that — only the unacknowledged limit may close him
            keepAlive.scheduleAtFixedRate(() -> {
                if (!b.isClosed()) {
                    try {
                        b.send(ChatClient.frame("ping"));
                    } catch (RuntimeException closedMeanwhile) {
                        // the close is what the test waits for
                    }
                }
            }, 0, 500, TimeUnit.MILLISECONDS);
            for (int i = 1; i <= total; i++) {
                a.sendTo(bob.id(), "s" + i, "flood " + i);
                a.ping();
            }
            for (int i = 1; i <= total; i++) {
                String id = "s" + i;
                a.await(f -> "sent".equals(f.path("type").asText()) && id.equals(f.path("clientMsgId").asText()), WAIT);
            }
            // bob never acknowledges: past 50 unacknowledged messages he is closed as a slow consumer
            assertEquals(CloseCodes.SLOW_CONSUMER, b.awaitClose(WAIT));
            a.ping(); // the sender is untouched
        } finally {
            keepAlive.shutdownNow();
        }
        try (ChatClient b = ChatClient.connect(node.baseUrl(), bob.token())) {
            b.send(ChatClient.frame("sync"));
            Set<Long> seqs = new HashSet<>();
            long cursor = 0;
            while (true) {
                JsonNode f = b.await(x -> "message".equals(x.path("type").asText()) || "synced".equals(x.path("type").asText()), WAIT);
                if ("synced".equals(f.path("type").asText())) {
                    if (!f.path("more").asBoolean()) {
                        break;
                    }
                    // a page at a time (40 here): sync again from where this page ended
                    com.fasterxml.jackson.databind.node.ObjectNode next = ChatClient.frame("sync");
                    next.putObject("cursors").put(conversation, cursor);
                    b.send(next);
                    continue;
                }
                cursor = Math.max(cursor, f.get("seq").asLong());
                seqs.add(f.get("seq").asLong());
                b.ack(conversation, f.get("seq").asLong());
            }
            assertEquals(total, seqs.size(), "every message after resuming");
        }
    }

    @Test
    void shouldCloseSilentConnectionAfterIdleTimeout() {
        Platform.User carol = Platform.get().newUser("phone");
        try (ChatClient c = ChatClient.connectAndSync(node.baseUrl(), carol.token())) {
            assertEquals(CloseCodes.IDLE_TIMEOUT, c.awaitClose(Duration.ofSeconds(10)));
        }
    }
}
