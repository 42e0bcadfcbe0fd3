package io.parley.chat.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.support.IdServiceTestResource;
import io.parley.chat.support.ShortPersistenceProfile;
import io.parley.chat.support.TestUsers;
import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.SessionKeys;
import io.parley.common.token.TokenClaims;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisServer;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URL;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Redis loses its data (FLUSHALL): what must be kept comes back from MySQL — an app's grants and its public flag,
 * and the conversations {@code GET /conversations} lists. Users sign in again (their sessions were in Redis).
 */
@QuarkusTest
@TestProfile(ShortPersistenceProfile.class)
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_chat"))
@QuarkusTestResource(IdServiceTestResource.class)
@QuarkusTestResource(PlatformTestResource.class) // auth-service, which says whether a user exists
class RedisWipeRecoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/")
    URL base;

    @Inject
    AccessTokenIssuer issuer;

    @Inject
    RedisDataSource redis;

    @Inject
    AgroalDataSource db;

    @Test
    void shouldListTheSameConversationsAfterRedisLostItsData() {
        List<Long> users = Platform.get().registerUsers(5);
        long alice = users.get(0);
        long bob = users.get(1);
        long carol = users.get(2);
        long dave = users.get(3);
        long erin = users.get(4);
        String group;
        try (ChatClient a = ChatClient.connectAndSync(url(), token(alice));
             ChatClient d = ChatClient.connectAndSync(url(), token(dave))) {
            send(a, a.sendTo(bob, cmid(), "hi bob"));
            send(a, a.sendTo(bob, cmid(), "still there?"));
            send(a, a.sendTo(carol, cmid(), "hi carol"));
            send(d, d.sendTo(alice, cmid(), "alice only received here")); // alice is in it without sending
            group = given().auth().oauth2(token(alice)).contentType(ContentType.JSON)
                    .body(Map.of("name", "wipe club", "members", List.of(bob))).post("/api/v1/groups")
                    .then().statusCode(201).extract().path("id");
            send(a, a.sendToGroup(group, cmid(), "hello group"));
            // alice reads what dave sent: a read receipt, kept in MySQL behind Redis
            a.send(ChatClient.frame("read").put("conversation", ConversationId.direct(alice, dave).value()).put("seq", 1));
            await().atMost(WAIT).until(() -> readCursorInMySql(alice, ConversationId.direct(alice, dave).value()) == 1);
        }
        awaitPersisted(ConversationId.direct(alice, bob).value(), 2);
        awaitPersisted(ConversationId.direct(alice, carol).value(), 1);
        awaitPersisted(ConversationId.direct(alice, dave).value(), 1);
        awaitPersisted(ConversationId.group(group).value(), 1);
        JsonPath before = conversations(token(alice));
        assertEquals(4, before.getList("conversations").size(), before.prettify());
        assertEquals(List.of(0, 0, 0, 0), before.getList("conversations.unread"), "read or sent by alice: " + before.prettify());

        wipeRedis();
        // what a version before the index became a hash left: the rebuild from MySQL replaces it
        redis.sortedSet(String.class).zadd(RedisKeys.legacyUserConversations(alice), 1, "d:0:0");

        // signed in again; a conversation list asked for first
        JsonPath after = conversations(token(alice));
        assertEquals(false, redis.key().exists(RedisKeys.legacyUserConversations(alice)));
        assertEquals(before.getList("conversations.id"), after.getList("conversations.id"));
        assertEquals(before.getList("conversations.lastSeq"), after.getList("conversations.lastSeq"));
        assertEquals(before.getList("conversations.lastActivity"), after.getList("conversations.lastActivity"));
        assertEquals(before.getList("conversations.unread"), after.getList("conversations.unread"),
                "what alice read (or sent) is not unread again: " + after.prettify());
        JsonPath bobs = conversations(token(bob));
        assertEquals(List.of(ConversationId.group(group).value(), ConversationId.direct(alice, bob).value()),
                bobs.getList("conversations.id"));

        // a send after the wipe recreates a user's index before it is asked for: it must not hide the older ones
        wipeRedis();
        try (ChatClient e = ChatClient.connectAndSync(url(), token(erin))) {
            send(e, e.sendTo(alice, cmid(), "new after the wipe"));
        }
        List<String> ids = conversations(token(alice)).getList("conversations.id");
        assertEquals(ConversationId.direct(alice, erin).value(), ids.get(0), "the newest first: " + ids);
        assertEquals(before.getList("conversations.id"), ids.subList(1, ids.size()));
    }

    @Test
    void shouldKeepGrantsAndThePublicFlagAcrossRedisLosingItsData() {
        List<Long> users = Platform.get().registerUsers(3);
        long granted = users.get(0);
        long other = users.get(1);
        long revoked = users.get(2);
        String privateApp = "wipe-private-" + UUID.randomUUID().toString().substring(0, 8);
        String publicApp = "wipe-public-" + UUID.randomUUID().toString().substring(0, 8);
        post("/api/v1/apps/" + privateApp + "/grants", Map.of("users", List.of(granted, revoked)), appToken(privateApp), 204);
        given().auth().oauth2(appToken(privateApp)).delete("/api/v1/apps/" + privateApp + "/grants/" + revoked)
                .then().statusCode(204);
        given().auth().oauth2(appToken(publicApp)).contentType(ContentType.JSON).body("{\"public\":true}")
                .put("/api/v1/apps/" + publicApp + "/access").then().statusCode(200);

        wipeRedis();

        // the subscribe path (no REST call first): the grant holds, the private app stays private
        assertSubscribe(granted, privateApp, true);
        assertSubscribe(other, privateApp, false);
        assertSubscribe(revoked, privateApp, false);
        assertSubscribe(other, publicApp, true);
        wipeRedis();
        assertEquals(Map.of("public", false, "grantCount", 1), access(privateApp));
        assertEquals(Map.of("public", true, "grantCount", 0), access(publicApp));
        assertEquals(List.of(granted), given().auth().oauth2(appToken(privateApp)).get("/api/v1/apps/" + privateApp + "/grants")
                .then().statusCode(200).extract().jsonPath().getList("users", Long.class));
        assertEquals("0", redis.value(String.class).get(RedisKeys.appPublic(privateApp)), "Redis holds the copy again");

        // closing the app after the wipe is kept too
        given().auth().oauth2(appToken(publicApp)).contentType(ContentType.JSON).body("{\"public\":false}")
                .put("/api/v1/apps/" + publicApp + "/access").then().statusCode(200);
        wipeRedis();
        assertSubscribe(other, publicApp, false);
    }

    @Test
    void shouldCopyGrantsThatOnlyRedisHeldIntoMySqlBeforeTheyCanBeLost() {
        // an app whose access was set before MySQL kept it: in Redis only (the old form: "1" or no flag at all)
        long user = Platform.get().registerUser();
        String app = "wipe-legacy-" + UUID.randomUUID().toString().substring(0, 8);
        redis.set(String.class).sadd(RedisKeys.appGrants(app), Long.toString(user));
        String publicApp = "wipe-legacy-pub-" + UUID.randomUUID().toString().substring(0, 8);
        redis.value(String.class).set(RedisKeys.appPublic(publicApp), "1");

        assertEquals(Map.of("public", false, "grantCount", 1), access(app), "read (and adopted) on a miss");
        given().auth().oauth2(appToken(publicApp)).contentType(ContentType.JSON)
                .body(Map.of("users", List.of(user))).post("/api/v1/apps/" + publicApp + "/grants").then().statusCode(204);
        wipeRedis();
        assertEquals(Map.of("public", false, "grantCount", 1), access(app));
        assertEquals(Map.of("public", true, "grantCount", 1), access(publicApp), "the first change adopted the flag");
    }

    // ---------------------------------------------------------------- helpers

    private long readCursorInMySql(long user, String conversation) throws SQLException {
        try (Connection connection = db.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT seq FROM read_cursors WHERE user_id = ? AND conversation_id = ?")) {
            select.setLong(1, user);
            select.setString(2, conversation);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0;
            }
        }
    }

    @Test
    void aQuietConversationThatLeftRedisShouldCarryOnWhereItWas() {
        List<Long> users = Platform.get().registerUsers(2);
        long alice = users.get(0);
        long bob = users.get(1);
        String cid = threeMessagesThenQuiet(alice, bob);

        assertEquals(List.of(3), conversations(token(bob)).getList("conversations.lastSeq"));
        try (ChatClient b = ChatClient.connectAndSync(url(), token(bob))) {
            // a read receipt is clamped to the last seq, which only MySQL knows now
            b.send(ChatClient.frame("read").put("conversation", cid).put("seq", 3));
            await().atMost(WAIT).until(() -> "3".equals(redis.hash(String.class).hget(RedisKeys.userRead(bob), cid)));
        }
        assertEquals(List.of(0), conversations(token(bob)).getList("conversations.unread"));

        try (ChatClient a = ChatClient.connectAndSync(url(), token(alice))) {
            a.sendTo(bob, cmid(), "after the quiet");
            JsonNode sent = a.await(f -> f.path("type").asText().equals("sent") || f.path("type").asText().equals("error"), WAIT);
            assertEquals(4, sent.path("seq").asLong(), "continues above MySQL, not at 1: " + sent);
        }
        try (ChatClient b = ChatClient.connect(url(), token(bob))) { // a device that read up to 3 comes back
            ObjectNode sync = ChatClient.frame("sync");
            sync.putObject("cursors").put(cid, 3);
            b.send(sync);
            JsonNode message = b.await(f -> "message".equals(f.path("type").asText()), WAIT);
            assertEquals(4, message.get("seq").asLong());
            assertEquals("after the quiet", message.get("body").asText());
            b.awaitType("synced");
        }
    }

    @Test
    void aConversationWhoseWholeHistoryWasPurgedShouldListItsLastSeq() throws Exception {
        List<Long> users = Platform.get().registerUsers(2);
        long alice = users.get(0);
        long bob = users.get(1);
        String cid = threeMessagesThenQuiet(alice, bob);
        // as retention leaves a conversation it emptied: no message, the last seq it purged kept as the floor
        try (var connection = db.getConnection(); var statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM messages WHERE conversation_id = '" + cid + "'");
            statement.executeUpdate("INSERT INTO seq_floors (conversation_id, seq) VALUES ('" + cid + "', 3)");
        }

        // the list and the next message agree: the conversation stands at 3, not at 0
        assertEquals(List.of(3), conversations(token(bob)).getList("conversations.lastSeq"));
        JsonPath history = given().auth().oauth2(token(bob)).get("/api/v1/conversations/" + cid + "/messages")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(), history.getList("messages"));
        try (ChatClient a = ChatClient.connectAndSync(url(), token(alice))) {
            a.sendTo(bob, cmid(), "after the purge");
            JsonNode sent = a.await(f -> f.path("type").asText().equals("sent") || f.path("type").asText().equals("error"), WAIT);
            assertEquals(4, sent.path("seq").asLong(), "continues above the floor: " + sent);
        }
        JsonPath after = given().auth().oauth2(token(bob)).get("/api/v1/conversations/" + cid + "/messages")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(4), after.getList("messages.seq"));
        assertEquals(false, after.getBoolean("hasMore"));
    }

    /**
     * Alice sends Bob seqs 1–3, the write-behind stores them, and the conversation goes quiet as after
     * PARLEY_CHAT_PERSISTENCE_QUIET_AFTER: its log, persisted mark and counter leave Redis. Returns its id.
     */
    private String threeMessagesThenQuiet(long alice, long bob) {
        String cid = ConversationId.direct(alice, bob).value();
        try (ChatClient a = ChatClient.connectAndSync(url(), token(alice))) {
            for (int i = 1; i <= 3; i++) {
                send(a, a.sendTo(bob, cmid(), "before the quiet " + i));
            }
        }
        awaitPersisted(cid, 3);
        await().atMost(WAIT).until(() -> redis.key().pttl(RedisKeys.seq(cid)) > 0);
        for (String key : List.of(RedisKeys.log(cid), RedisKeys.persisted(cid), RedisKeys.seq(cid))) {
            redis.key().pexpire(key, 1);
        }
        await().atMost(WAIT).until(() -> redis.key().exists(RedisKeys.log(cid), RedisKeys.persisted(cid),
                RedisKeys.seq(cid)) == 0);
        return cid;
    }

    private void wipeRedis() {
        assertEquals("+OK", RedisServer.shared().command("FLUSHALL"));
    }

    private void assertSubscribe(long user, String app, boolean allowed) {
        try (ChatClient client = ChatClient.connect(url(), token(user))) {
            ObjectNode subscribe = ChatClient.frame("subscribe").put("appId", app);
            subscribe.putArray("topics").add("news");
            client.send(subscribe);
            JsonNode answer = client.await(f -> f.path("type").asText().equals("subscribed")
                    || f.path("type").asText().equals("error"), WAIT);
            if (allowed) {
                assertEquals("subscribed", answer.path("type").asText(), "user " + user + " on " + app + ": " + answer);
            } else {
                assertEquals("FORBIDDEN", answer.path("code").asText(), "user " + user + " on " + app + ": " + answer);
            }
        }
    }

    private Map<String, Object> access(String app) {
        return given().auth().oauth2(appToken(app)).get("/api/v1/apps/" + app + "/access")
                .then().statusCode(200).extract().jsonPath().getMap("");
    }

    private static void post(String path, Object body, String token, int status) {
        given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post(path).then().statusCode(status);
    }

    private static void send(ChatClient client, ChatClient sent) {
        JsonNode answer = client.await(f -> f.path("type").asText().equals("sent") || f.path("type").asText().equals("error"), WAIT);
        assertEquals("sent", answer.path("type").asText(), answer.toString());
    }

    private void awaitPersisted(String cid, long seq) {
        await().atMost(WAIT).until(() -> {
            String persisted = redis.value(String.class).get(RedisKeys.persisted(cid));
            return persisted != null && Long.parseLong(persisted) >= seq;
        });
    }

    private static JsonPath conversations(String token) {
        return given().auth().oauth2(token).get("/api/v1/conversations").then().statusCode(200).extract().jsonPath();
    }

    /** A user signing in: a fresh session in Redis and its token. */
    private String token(long user) {
        return TestUsers.token(issuer, user);
    }

    /** An app token of {@code app}, with its session in Redis. */
    private String appToken(String app) {
        String session = UUID.randomUUID().toString();
        RedisServer.shared().command("HSET " + SessionKeys.session(session) + " app " + app);
        long now = System.currentTimeMillis() / 1000;
        return issuer.issue(TokenClaims.forApp(app, session, now, now + 900));
    }

    private static String cmid() {
        return UUID.randomUUID().toString();
    }

    private String url() {
        return ChatClient.baseUrl(base);
    }
}
