package io.parley.chat.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.chat.protocol.ChatMessage;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.support.IdServiceTestResource;
import io.parley.chat.support.TestUsers;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An idle node's write-behind reads its buckets once per idle-poll-interval (here a minute, far beyond the test's
 * wait), and a message stored on the node wakes it at once.
 */
@QuarkusTest
@TestProfile(WriteBehindIdleTest.MinuteIdleProfile.class)
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_chat"))
@QuarkusTestResource(IdServiceTestResource.class)
class WriteBehindIdleTest {

    private static final Duration IDLE = Duration.ofMinutes(1);
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String[] FRAME = {"{\"seq\":", "}"};

    /** A minute's idle pause; the leases (renewed at half-life by the rounds) last four. */
    public static class MinuteIdleProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "parley.chat.persistence.poll-interval", "50ms",
                    "parley.chat.persistence.idle-poll-interval", "1M",
                    "parley.chat.persistence.claim-idle", "4M");
        }
    }

    @Inject
    MessageStore store;

    @Inject
    HistoryRepository history;

    @Inject
    WriteBehindPersister persister;

    @Test
    void shouldPauseTheIdleIntervalUntilAMessageIsStoredOnTheNode() {
        await().atMost(WAIT).until(() -> IDLE.equals(persister.pause())); // a round found nothing to write

        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        String id = TestUsers.messageId(a);
        ChatMessage draft = new ChatMessage(id, cid, 0, a, b, null, "wake up", "text", System.currentTimeMillis(),
                null, "cmid-wake");
        assertEquals(new MessageStore.AppendResult.Stored(1),
                store.append(draft, false, FRAME, "test", List.of()).await().atMost(WAIT));

        // in MySQL well before the minute is up: the append woke the write-behind
        await().atMost(WAIT).until(() -> history.countIds(List.of(id)) == 1);
    }
}
