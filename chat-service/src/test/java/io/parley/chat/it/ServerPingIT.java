package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testsupport.ServiceProcess;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server pings a socket only when it was silent for the ping interval: a quiet client is pinged (and its pongs
 * keep it open past the idle timeout), a client that keeps talking is not — an idle node sends half the frames when
 * its clients ping on their own.
 */
class ServerPingIT {

    private static ServiceProcess node;

    @BeforeAll
    static void start() {
        Map<String, String> env = new HashMap<>(Platform.get().chatEnv());
        env.put("PARLEY_CHAT_DELIVERY_PING_INTERVAL", "2S");
        env.put("PARLEY_CHAT_DELIVERY_IDLE_TIMEOUT", "5S");
        node = ServiceProcess.start("chat-pings", env);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void shouldPingOnlyTheSocketsThatWereSilent() {
        Platform.User quiet = Platform.get().newUser("phone");
        Platform.User talking = Platform.get().newUser("phone");
        ScheduledExecutorService chatter = Executors.newSingleThreadScheduledExecutor();
        try (ChatClient q = ChatClient.connectAndSync(node.baseUrl(), quiet.token());
             ChatClient t = ChatClient.connectAndSync(node.baseUrl(), talking.token())) {
            chatter.scheduleAtFixedRate(() -> {
                try {
                    t.send(ChatClient.frame("ping")); // the client's own ping, every 200 ms
                } catch (RuntimeException closedMeanwhile) {
                    // the assertions below say so
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
            // four ping intervals (8 s), past the idle timeout: the quiet client is pinged and stays open by its pongs
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> q.pingsReceived() >= 4);
            assertTrue(!q.isClosed(), "the pongs count as activity");
            // over the same time the talking client was heard from all along: at most one ping (a stall of the
            // machine past the interval), not four
            assertTrue(t.pingsReceived() <= 1, t.pingsReceived() + " pings to a client that kept talking");
            assertEquals(false, t.isClosed());
        } finally {
            chatter.shutdownNow();
        }
    }
}
