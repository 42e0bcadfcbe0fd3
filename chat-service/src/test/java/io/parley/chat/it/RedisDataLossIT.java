package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testsupport.MariaDbServer;
import io.parley.testsupport.RedisServer;
import io.parley.testsupport.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis loses its data — an operator's FLUSHALL, then a memory-only Redis restarted empty — after MySQL received a
 * 1:1 and a group conversation: the seqs carry on from MySQL's (never reused, so the write-behind drops nothing),
 * history lists every message before and after, and a device syncing from its old cursor receives the new ones.
 */
class RedisDataLossIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int ROUND = 3;

    private static RedisServer redis;
    private static MariaDbServer db;
    private static Platform platform;
    private static ServiceProcess node;

    @BeforeAll
    static void startPlatform() {
        redis = RedisServer.start(); // no persistence: a restart comes back empty
        db = MariaDbServer.start();
        platform = Platform.dedicated(redis, db);
        Map<String, String> env = new HashMap<>(platform.chatEnv());
        env.put("QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT", "30S");
        node = ServiceProcess.start("redis-loss", env);
    }

    @AfterAll
    static void stopPlatform() {
        Platform.stopDedicated(platform, db, redis, node);
    }

    @Test
    void seqsShouldCarryOnFromMySqlWhenRedisLosesItsData() {
        Platform.User alice = platform.newUser("phone");
        Platform.User bob = platform.newUser("phone");
        String group = Platform.post(node.baseUrl() + "/api/v1/groups", Map.of("name", "loss", "members",
                List.of(bob.id())), alice.token(), 201).get("id").asText();
        String direct = "d:" + Math.min(alice.id(), bob.id()) + ":" + Math.max(alice.id(), bob.id());
        String groupConversation = "g:" + group;
        List<String> sentIds = new ArrayList<>();

        sentIds.addAll(sendRound(alice, bob.id(), group, "before", 1));
        awaitPersisted(direct, ROUND);
        awaitPersisted(groupConversation, ROUND);

        // 1. an operator's FLUSHALL: sessions are gone too, so both sign in again
        redis.flushAll();
        alice = platform.signIn(alice, "phone");
        bob = platform.signIn(bob, "phone");
        sentIds.addAll(sendRound(alice, bob.id(), group, "after-flush", ROUND + 1));
        assertSyncFrom(bob, direct, groupConversation, ROUND, "after-flush");
        awaitPersisted(direct, 2 * ROUND);
        awaitPersisted(groupConversation, 2 * ROUND);

        // 2. a memory-only Redis restarted: empty again
        redis.crash();
        redis.restart();
        alice = platform.signIn(alice, "phone");
        bob = platform.signIn(bob, "phone");
        sentIds.addAll(sendRound(alice, bob.id(), group, "after-restart", 2 * ROUND + 1));
        assertSyncFrom(bob, direct, groupConversation, 2 * ROUND, "after-restart");
        awaitPersisted(direct, 3 * ROUND);
        awaitPersisted(groupConversation, 3 * ROUND);

        // every message is in history once, under increasing seqs, in the order sent
        assertHistory(bob, direct, sentIds, 0);
        assertHistory(bob, groupConversation, sentIds, 1);
    }

    /** Alice sends {@value #ROUND} messages to Bob and to the group, alternating; the seqs must start at {@code firstSeq}. */
    private List<String> sendRound(Platform.User alice, long bob, String group, String label, long firstSeq) {
        List<String> ids = new ArrayList<>();
        try (ChatClient a = ChatClient.connectAndSync(node.baseUrl(), alice.token())) {
            for (int i = 0; i < ROUND; i++) {
                a.sendTo(bob, label + "-d" + i, label + " direct " + i);
                JsonNode sent = a.await(f -> "sent".equals(f.path("type").asText()), WAIT);
                assertEquals(firstSeq + i, sent.get("seq").asLong(), label + ": direct seq");
                ids.add(sent.get("id").asText());
                a.sendToGroup(group, label + "-g" + i, label + " group " + i);
                sent = a.await(f -> "sent".equals(f.path("type").asText()), WAIT);
                assertEquals(firstSeq + i, sent.get("seq").asLong(), label + ": group seq");
                ids.add(sent.get("id").asText());
            }
        }
        return ids;
    }

    /** A device of Bob's whose cursors stood at {@code cursor} in both conversations gets the new messages by sync. */
    private void assertSyncFrom(Platform.User bob, String direct, String group, long cursor, String label) {
        try (ChatClient b = ChatClient.connect(node.baseUrl(), bob.token())) {
            b.send(ChatClient.frame("sync").set("cursors", new com.fasterxml.jackson.databind.ObjectMapper()
                    .createObjectNode().put(direct, cursor).put(group, cursor)));
            for (String conversation : List.of(direct, group)) {
                for (int i = 0; i < ROUND; i++) {
                    long seq = cursor + 1 + i;
                    JsonNode m = b.await(f -> "message".equals(f.path("type").asText())
                            && conversation.equals(f.path("conversation").asText()) && f.path("seq").asLong() == seq, WAIT);
                    assertEquals(label + (conversation.equals(direct) ? " direct " : " group ") + i, m.get("body").asText());
                }
            }
        }
    }

    private void assertHistory(Platform.User reader, String conversation, List<String> sentIds, int offset) {
        java.net.http.HttpResponse<String> response = Platform.get(node.baseUrl() + "/api/v1/conversations/"
                + conversation + "/messages?limit=200", reader.token());
        assertEquals(200, response.statusCode(), response.body());
        JsonNode page;
        try {
            page = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> expected = new ArrayList<>();
        for (int i = offset; i < sentIds.size(); i += 2) {
            expected.add(sentIds.get(i));
        }
        List<String> ids = new ArrayList<>();
        long previousSeq = Long.MAX_VALUE;
        for (JsonNode m : page.get("messages")) { // newest first
            long seq = m.get("seq").asLong();
            assertEquals(true, seq < previousSeq, conversation + ": seqs decrease down the page: " + page);
            previousSeq = seq;
            ids.add(0, m.get("id").asText());
        }
        assertEquals(expected, ids, conversation + ": every message, once, in the order sent");
    }

    /** MySQL holds the conversation up to {@code seq}: its persisted mark (raised only after the commit) reached it. */
    private static void awaitPersisted(String conversation, long seq) {
        Platform.awaitPersisted(redis, conversation, seq, WAIT);
    }
}
