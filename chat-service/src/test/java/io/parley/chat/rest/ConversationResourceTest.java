package io.parley.chat.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.chat.protocol.ChatMessage;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.MessageStore;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.it.Platform;
import io.parley.chat.it.PlatformTestResource;
import io.parley.chat.support.IdServiceTestResource;
import io.parley.chat.support.ShortPersistenceProfile;
import io.parley.chat.support.TestUsers;
import io.parley.common.token.AccessTokenIssuer;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The conversation list and history pages, over REST against real Redis and MariaDB. */
@QuarkusTest
@TestProfile(ShortPersistenceProfile.class)
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_chat"))
@QuarkusTestResource(IdServiceTestResource.class)
@QuarkusTestResource(PlatformTestResource.class) // auth-service, which says whether a group member exists
class ConversationResourceTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String[] FRAME = {"{\"seq\":", "}"};

    @Inject
    AccessTokenIssuer issuer;

    @Inject
    MessageStore store;

    @Inject
    RedisDataSource redis;

    @Test
    void shouldPageHistoryAcrossRedisAndMySqlWithoutGapsOrDuplicates() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 23; i++) {
            ids.add(append(cid, i % 2 == 0 ? b : a, i % 2 == 0 ? a : b, null, "message " + i, 1_000L + i));
        }
        // the write-behind has persisted everything and the log keeps only the 5 newest (19..23)
        await().atMost(WAIT).until(() -> "23".equals(redis.value(String.class).get(RedisKeys.persisted(cid))));
        await().atMost(WAIT).until(() -> redis.execute("XLEN", RedisKeys.log(cid)).toLong() == ShortPersistenceProfile.HOT_MESSAGES);
        String token = token(a);

        // newest page: 19..23 from Redis, 14..18 from MySQL
        JsonPath first = page(token, cid, null, 10);
        assertEquals(LongStream.rangeClosed(14, 23).map(s -> 37 - s).boxed().toList(), seqs(first));
        assertEquals(true, first.getBoolean("hasMore"));
        JsonPath second = page(token, cid, 14L, 10);
        assertEquals(LongStream.rangeClosed(4, 13).map(s -> 17 - s).boxed().toList(), seqs(second));
        assertEquals(true, second.getBoolean("hasMore"));
        JsonPath third = page(token, cid, 4L, 10);
        assertEquals(List.of(3L, 2L, 1L), seqs(third));
        assertEquals(false, third.getBoolean("hasMore"));

        JsonPath all = page(token, cid, null, 200);
        assertEquals(LongStream.rangeClosed(1, 23).map(s -> 24 - s).boxed().toList(), seqs(all));
        assertEquals(false, all.getBoolean("hasMore"));
        List<String> newestFirst = new ArrayList<>(ids);
        java.util.Collections.reverse(newestFirst);
        assertEquals(newestFirst, all.getList("messages.id"));
        // a beforeSeq past the end is the newest page; the shape of one message from each store
        assertEquals(seqs(first), seqs(page(token, cid, 1_000L, 10)));
        for (int index : new int[] {0, 20}) { // seq 23 (Redis) and seq 3 (MySQL)
            long seq = 23 - index;
            long from = seq % 2 == 0 ? b : a;
            long to = seq % 2 == 0 ? a : b;
            Map<String, Object> m = all.getMap("messages[" + index + "]");
            assertEquals(ids.get((int) seq - 1), m.get("id"));
            assertEquals(cid, m.get("conversation"));
            assertEquals(from, ((Number) m.get("from")).longValue());
            assertEquals(Map.of("user", to), m.get("to"));
            assertEquals("message " + seq, m.get("body"));
            assertEquals("text", m.get("kind"));
            assertEquals(1_000L + seq, ((Number) m.get("ts")).longValue());
            assertEquals(false, m.containsKey("target"));
        }
        // the peer reads the same history
        assertEquals(seqs(first), seqs(page(token(b), cid, null, 10)));
    }

    @Test
    void shouldServeGroupHistoryToMembersOnly() {
        long owner = TestUsers.newUserId();
        long member = Platform.get().registerUser(); // a group's members must exist
        long outsider = TestUsers.newUserId();
        String gid = createGroup(owner, "history", List.of(member));
        String cid = ConversationId.group(gid).value();
        String first = append(cid, owner, 0, gid, "hello group", 5_000L);
        append(cid, member, 0, gid, "reply", 5_001L);
        append(cid, owner, 0, gid, "fixed", 5_002L, first);

        given().auth().oauth2(token(member)).get("/api/v1/conversations/" + cid + "/messages")
                .then().statusCode(200)
                .body("messages.size()", equalTo(3))
                .body("messages[0].seq", equalTo(3))
                .body("messages[0].kind", equalTo("edit"))
                .body("messages[0].target", equalTo(first))
                .body("messages[0].to", equalTo(Map.of("group", gid)))
                .body("messages[1].body", equalTo("reply"))
                .body("messages[1]", not(hasKey("editedSeq")))
                // history shows the latest version of an edited message
                .body("messages[2].body", equalTo("fixed"))
                .body("messages[2].editedSeq", equalTo(3))
                .body("messages[2]", not(hasKey("target")))
                .body("hasMore", equalTo(false));
        given().auth().oauth2(token(outsider)).get("/api/v1/conversations/" + cid + "/messages")
                .then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        given().auth().oauth2(token(outsider)).get("/api/v1/conversations/g:999999999999999997/messages")
                .then().statusCode(403).body("code", equalTo("FORBIDDEN"));
    }

    @Test
    void shouldRefuseBadHistoryRequests() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        long c = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        String token = token(a);
        for (String query : new String[] {"limit=201", "limit=0", "limit=-1", "limit=abc", "beforeSeq=0", "beforeSeq=x"}) {
            given().auth().oauth2(token).get("/api/v1/conversations/" + cid + "/messages?" + query)
                    .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        }
        given().auth().oauth2(token).get("/api/v1/conversations/" + cid + "/messages?limit=200")
                .then().statusCode(200).body("messages.size()", equalTo(0)).body("hasMore", equalTo(false));
        String reversed = "d:" + Math.max(a, b) + ":" + Math.min(a, b);
        for (String bad : new String[] {"x:1", reversed, "d:1", "g:abc", "g:", "d:0:5", "g:12345678901234567890"}) {
            given().auth().oauth2(token).get("/api/v1/conversations/" + bad + "/messages")
                    .then().statusCode(400).body("code", equalTo("INVALID_ID"));
        }
        String others = ConversationId.direct(b, c).value();
        given().auth().oauth2(token).get("/api/v1/conversations/" + others + "/messages")
                .then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        given().get("/api/v1/conversations/" + cid + "/messages")
                .then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
    }

    @Test
    void shouldListConversationsNewestFirstWithLastSeqAndUnread() {
        long user = Platform.get().registerUser(); // a member of a group: must exist
        long p1 = TestUsers.newUserId();
        long p2 = TestUsers.newUserId();
        String d1 = ConversationId.direct(user, p1).value();
        String d2 = ConversationId.direct(user, p2).value();
        String gid = createGroup(p1, "Book club", List.of(user));
        String g = ConversationId.group(gid).value();
        for (int i = 1; i <= 3; i++) {
            append(d1, p1, user, null, "d1-" + i, 1_000L + i);
        }
        append(d2, user, p2, null, "d2", 3_000L);
        append(g, p1, 0, gid, "g1", 2_000L);
        append(g, user, 0, gid, "g2", 2_001L);
        // the send path indexes direct conversations by last activity; read receipts record what the user has read
        redis.hash(String.class).hset(RedisKeys.userConversations(user), Map.of(d1, "1003", d2, "3000"));
        redis.hash(String.class).hset(RedisKeys.userRead(user), Map.of(d1, "2", d2, "1"));
        redis.hash(String.class).hset(RedisKeys.userRead(p1), Map.of(d1, "3")); // p2 has read nothing
        // Redis has lost nothing: the index counts as checked against MySQL (RedisWipeRecoveryTest covers the other case)
        redis.value(String.class).set(RedisKeys.userConversationsChecked(user), "1");

        JsonPath list = given().auth().oauth2(token(user)).get("/api/v1/conversations")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(d2, g, d1), list.getList("conversations.id"));
        assertEquals(Map.of("id", d2, "type", "direct", "lastSeq", 1, "unread", 0, "lastActivity", 3000, "peer", p2,
                        "peerRead", 0),
                list.getMap("conversations[0]"));
        assertEquals(Map.of("id", g, "type", "group", "lastSeq", 2, "unread", 2, "lastActivity", 2001, "group", gid,
                "name", "Book club"), list.getMap("conversations[1]"));
        assertEquals(Map.of("id", d1, "type", "direct", "lastSeq", 3, "unread", 1, "lastActivity", 1003, "peer", p1,
                        "peerRead", 3),
                list.getMap("conversations[2]"));

        given().auth().oauth2(token(TestUsers.newUserId())).get("/api/v1/conversations")
                .then().statusCode(200).body("conversations.size()", equalTo(0));
        given().get("/api/v1/conversations").then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
    }

    // ---------------------------------------------------------------- helpers

    private String token(long user) {
        return TestUsers.token(issuer, user);
    }

    private String append(String cid, long from, long toUser, String toGroup, String body, long ts) {
        return append(cid, from, toUser, toGroup, body, ts, null);
    }

    private String append(String cid, long from, long toUser, String toGroup, String body, long ts, String target) {
        String id = TestUsers.messageId(from);
        ChatMessage draft = new ChatMessage(id, cid, 0, from, toUser, toGroup, body, target == null ? "text" : "edit", ts,
                target, "cmid-" + id);
        var result = store.append(draft, toGroup != null, FRAME, "test", List.of()).await().atMost(WAIT);
        if (!(result instanceof MessageStore.AppendResult.Stored)) {
            throw new AssertionError("append answered " + result);
        }
        return id;
    }

    private String createGroup(long owner, String name, List<Long> members) {
        return given().auth().oauth2(token(owner)).contentType(ContentType.JSON)
                .body(Map.of("name", name, "members", members))
                .post("/api/v1/groups").then().statusCode(201).extract().path("id");
    }

    private static JsonPath page(String token, String cid, Long beforeSeq, int limit) {
        var request = given().auth().oauth2(token).queryParam("limit", limit);
        if (beforeSeq != null) {
            request.queryParam("beforeSeq", beforeSeq);
        }
        return request.get("/api/v1/conversations/" + cid + "/messages").then().statusCode(200).extract().jsonPath();
    }

    private static List<Long> seqs(JsonPath page) {
        return page.getList("messages.seq", Long.class);
    }
}
