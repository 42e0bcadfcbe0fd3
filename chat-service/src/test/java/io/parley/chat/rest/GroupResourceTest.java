package io.parley.chat.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static io.parley.chat.support.JsonIds.userId;
import static io.parley.chat.support.JsonIds.userIds;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.parley.chat.fanout.Envelope;
import io.parley.chat.it.Platform;
import io.parley.chat.it.PlatformTestResource;
import io.parley.chat.service.GroupService;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.support.IdServiceTestResource;
import io.parley.chat.support.ShortPersistenceProfile;
import io.parley.chat.support.TestUsers;
import io.parley.common.redis.RedisScript;
import io.parley.common.token.AccessTokenIssuer;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Groups over REST: MySQL is the truth, the Redis caches follow, members' nodes are told. */
@QuarkusTest
@TestProfile(ShortPersistenceProfile.class)
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_chat"))
@QuarkusTestResource(IdServiceTestResource.class)
@QuarkusTestResource(PlatformTestResource.class) // auth-service, which says whether a member exists
class GroupResourceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    AccessTokenIssuer issuer;

    @Inject
    RedisDataSource redis;

    @Inject
    AgroalDataSource db;

    @Inject
    GroupService groups;

    private final List<PubSubCommands.RedisSubscriber> subscribers = new ArrayList<>();

    @AfterEach
    void unsubscribe() {
        subscribers.forEach(PubSubCommands.RedisSubscriber::unsubscribe);
        subscribers.clear();
    }

    @Test
    void shouldCreateGroupOwnedByCreatorWithDeduplicatedMembers() {
        long creator = newUser();
        long m1 = newUser();
        long m2 = newUser();
        Queue<String> creatorNotices = listen(creator);
        Queue<String> m1Notices = listen(m1);
        Queue<String> m2Notices = listen(m2);

        String gid = given().auth().oauth2(token(creator)).contentType(ContentType.JSON)
                .body(Map.of("name", "  Trip to Lisbon  ", "members", List.of(m1, m2, m1, creator)))
                .post("/api/v1/groups")
                .then().statusCode(201)
                .body("id", matchesPattern("[0-9]{1,19}"))
                .body("name", equalTo("Trip to Lisbon"))
                .body("members", userIds(creator, m1, m2))
                .extract().path("id");

        assertEquals(Set.of(creator, m1, m2), membersInDb(gid));
        assertEquals(creator, ownerInDb(gid));
        assertEquals(Set.of(RedisKeys.LOADED_MARKER, "" + creator, "" + m1, "" + m2), membersCache(gid));
        String joined = Envelope.control(Envelope.GROUP_JOINED, gid);
        for (Queue<String> notices : List.of(creatorNotices, m1Notices, m2Notices)) {
            await().atMost(WAIT).until(() -> notices.contains(joined));
        }
        assertTrue(groups.groupsOfBlocking(m2).contains(gid));
    }

    @Test
    void shouldRefuseInvalidGroupsAndStoreNothing() {
        long creator = newUser();
        String token = token(creator);
        List<Object> bodies = List.of(
                Map.of("members", List.of()),
                Map.of("name", "   ", "members", List.of()),
                Map.of("name", "x".repeat(101), "members", List.of()),
                Map.of("name", "zero", "members", List.of(0)),
                Map.of("name", "negative", "members", List.of(-3)),
                Map.of("name", "eleven digits", "members", List.of(10_000_000_000L)),
                // 5 others + the creator: over the limit of 5 (test profile)
                Map.of("name", "too many", "members", List.of(1, 2, 3, 4, 5)));
        for (Object body : bodies) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post("/api/v1/groups")
                    .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        }
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"name\": \"x\", \"members\": [\"abc\"]}")
                .post("/api/v1/groups").then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"name\": ")
                .post("/api/v1/groups").then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        // wrong JSON types are refused, not coerced
        for (String body : new String[] {"{\"name\": 12345, \"members\": []}", "{\"name\": \"x\", \"members\": [\"7\"]}",
                "{\"name\": \"x\", \"members\": [7.5]}", "{\"name\": true}"}) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                    .post("/api/v1/groups").then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        }
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .post("/api/v1/groups").then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        given().contentType(ContentType.JSON).body(Map.of("name", "anonymous", "members", List.of()))
                .post("/api/v1/groups").then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
        assertEquals(0, groupsOwnedInDb(creator), "no invalid request stored a group");

        // the limits themselves are fine: 100 characters, 5 members once duplicates are dropped
        List<Long> four = Platform.get().registerUsers(4);
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("name", "n".repeat(100), "members", List.of(four.get(0), four.get(1), four.get(2), four.get(3),
                        four.get(3), four.get(2), creator)))
                .post("/api/v1/groups")
                .then().statusCode(201).body("members.size()", equalTo(5));
        // a group of one: just the creator
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "solo"))
                .post("/api/v1/groups")
                .then().statusCode(201).body("members", userIds(creator));
    }

    @Test
    void shouldLetMembersAddMembersIdempotently() {
        long owner = newUser();
        long member = newUser();
        long newcomer = newUser();
        String gid = createGroup(owner, List.of(member));
        assertTrue(groups.groupsOfBlocking(newcomer).isEmpty()); // loads the newcomer's (empty) group cache
        Queue<String> notices = listen(newcomer);

        addMember(member, gid, newcomer).then().statusCode(204);

        assertEquals(Set.of(owner, member, newcomer), membersInDb(gid));
        assertTrue(membersCache(gid).contains(Long.toString(newcomer)));
        assertTrue(groups.groupsOfBlocking(newcomer).contains(gid), "the loaded cache follows the change");
        await().atMost(WAIT).until(() -> notices.contains(Envelope.control(Envelope.GROUP_JOINED, gid)));
        // again: nothing changes, still 204
        addMember(member, gid, newcomer).then().statusCode(204);
        assertEquals(3, membersInDb(gid).size());
    }

    @Test
    void shouldRefuseBadAdditionsAndStoreNothing() {
        long owner = newUser();
        long outsider = newUser();
        String gid = createGroup(owner, List.of(newUser(), newUser(), newUser()));

        addMember(outsider, gid, outsider).then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        addMember(owner, "999999999999999999", outsider).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        addMember(owner, "not-a-group", outsider).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        given().auth().oauth2(token(owner)).contentType(ContentType.JSON).body(Map.of("user", 0))
                .post("/api/v1/groups/" + gid + "/members").then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        given().auth().oauth2(token(owner)).contentType(ContentType.JSON).body(Map.of())
                .post("/api/v1/groups/" + gid + "/members").then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        given().auth().oauth2(token(owner)).contentType(ContentType.JSON).body("{\"user\": \"someone\"}")
                .post("/api/v1/groups/" + gid + "/members").then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        assertEquals(4, membersInDb(gid).size());

        long fifth = newUser();
        addMember(owner, gid, fifth).then().statusCode(204);
        addMember(owner, gid, outsider).then().statusCode(409).body("code", equalTo("CONFLICT"));
        assertEquals(5, membersInDb(gid).size());
        assertFalse(membersCache(gid).contains(Long.toString(outsider)));
    }

    @Test
    void shouldLetOwnerRemoveAnyoneAndMembersOnlyThemselves() {
        long owner = newUser();
        long m1 = newUser();
        long m2 = newUser();
        long m3 = newUser();
        long outsider = newUser();
        String gid = createGroup(owner, List.of(m1, m2, m3));
        Queue<String> m2Notices = listen(m2);

        removeMember(m1, gid, m2).then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        removeMember(outsider, gid, m1).then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        removeMember(outsider, gid, outsider).then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        assertEquals(4, membersInDb(gid).size());

        removeMember(owner, gid, m2).then().statusCode(204);
        assertEquals(Set.of(owner, m1, m3), membersInDb(gid));
        assertFalse(membersCache(gid).contains(Long.toString(m2)));
        assertFalse(groups.groupsOfBlocking(m2).contains(gid));
        await().atMost(WAIT).until(() -> m2Notices.contains(Envelope.control(Envelope.GROUP_LEFT, gid)));

        removeMember(m1, gid, m1).then().statusCode(204);
        removeMember(owner, gid, outsider).then().statusCode(204); // not a member: nothing to do
        assertEquals(Set.of(owner, m3), membersInDb(gid));

        removeMember(owner, "999999999999999999", m1).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        removeMember(owner, gid, "abc").then().statusCode(400).body("code", equalTo("INVALID_ID"));
        removeMember(owner, gid, "0").then().statusCode(400).body("code", equalTo("INVALID_ID"));
        removeMember(owner, "g:1", "5").then().statusCode(404).body("code", equalTo("NOT_FOUND"));
    }

    @Test
    void shouldHandOwnershipToTheLongestStandingMemberWhenTheOwnerLeaves() throws InterruptedException {
        long owner = newUser();
        long first = newUser();
        String gid = createGroup(owner, List.of(first));
        Thread.sleep(5); // joined_at has millisecond precision
        long second = newUser();
        addMember(owner, gid, second).then().statusCode(204);

        removeMember(owner, gid, owner).then().statusCode(204);
        assertEquals(first, ownerInDb(gid));
        removeMember(owner, gid, second).then().statusCode(403); // no longer the owner
        removeMember(first, gid, second).then().statusCode(204);

        // the last member leaves: the group is empty, its member cache stays loaded (sending is forbidden)
        removeMember(first, gid, first).then().statusCode(204);
        assertEquals(Set.of(), membersInDb(gid));
        assertEquals(Set.of(RedisKeys.LOADED_MARKER), membersCache(gid));
        assertFalse(groups.isMember(gid, first));
    }

    @Test
    void shouldRebuildMissingCachesFromMySql() {
        long owner = newUser();
        long member = newUser();
        String gid = createGroup(owner, List.of(member));
        String cid = "g:" + gid;

        redis.key(String.class).del(RedisKeys.members(cid));
        assertTrue(groups.reloadMembersCache(gid).await().atMost(WAIT));
        assertEquals(Set.of(RedisKeys.LOADED_MARKER, "" + owner, "" + member), membersCache(gid));
        assertFalse(groups.reloadMembersCache("999999999999999998").await().atMost(WAIT));
        redis.key(String.class).del(RedisKeys.members(cid));
        assertTrue(groups.isMember(gid, member), "membership checks reload a missing cache");

        redis.key(String.class).del(RedisKeys.userGroups(member));
        assertEquals(Set.of(gid), groups.groupsOf(member).await().atMost(WAIT));
        assertTrue(redis.set(String.class).sismember(RedisKeys.userGroups(member), RedisKeys.LOADED_MARKER));
        // an unloaded cache is not half-filled by a change: it stays unloaded until its next reader rebuilds it
        redis.key(String.class).del(RedisKeys.userGroups(member));
        String other = createGroup(member, List.of());
        assertFalse(redis.key(String.class).exists(RedisKeys.userGroups(member)));
        assertEquals(Set.of(gid, other), groups.groupsOfBlocking(member));
    }

    @Test
    void shouldRefuseARebuildThatRacedAMembershipChange() {
        long owner = newUser();
        long newcomer = newUser();
        String gid = createGroup(owner, List.of());
        String cid = "g:" + gid;
        String versionBefore = redis.value(String.class).get(RedisKeys.membersVersion(cid));
        // a rebuild read MySQL (owner only), then the newcomer is added and committed...
        addMember(owner, gid, newcomer).then().statusCode(204);
        // ...so the rebuild's stale list is refused and the cache keeps the newcomer
        var written = RedisScript.load("membership_load").run(redis,
                List.of(RedisKeys.members(cid), RedisKeys.membersVersion(cid)),
                versionBefore == null ? "" : versionBefore, Long.toString(owner));
        assertEquals(0, written.toInteger());
        assertTrue(membersCache(gid).contains(Long.toString(newcomer)));
    }

    @Test
    void shouldRefuseMembersThatDoNotExistAndCreateNothing() {
        long creator = newUser();
        long member = newUser();
        long deleted = deletedUser();
        long unknown = 9_999_999_999L;
        String token = token(creator);

        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("name", "ghosts", "members", List.of(member, unknown, deleted)))
                .post("/api/v1/groups")
                .then().statusCode(404).body("code", equalTo("NOT_FOUND"))
                .body("message", allOf(containsString(Long.toString(unknown)), containsString(Long.toString(deleted)),
                        not(containsString(Long.toString(member)))));
        assertEquals(0, groupsOwnedInDb(creator), "nothing was created");
        assertTrue(groups.groupsOfBlocking(member).isEmpty());

        String gid = createGroup(creator, List.of(member));
        addMember(creator, gid, unknown).then().statusCode(404).body("code", equalTo("NOT_FOUND"))
                .body("message", containsString(Long.toString(unknown)));
        addMember(member, gid, deleted).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        assertEquals(Set.of(creator, member), membersInDb(gid));
        addMember(creator, gid, creator).then().statusCode(204); // oneself: known to exist, nothing changes
    }

    @Test
    void shouldListTheCallersGroupsNewestFirstWithOwnerAndMemberCount() {
        long me = newUser();
        long friend = newUser();
        long stranger = newUser();
        String older = createGroup(friend, List.of(me));
        String newer = createGroup(me, List.of(friend, stranger));
        createGroup(stranger, List.of()); // not mine

        given().auth().oauth2(token(me)).get("/api/v1/groups")
                .then().statusCode(200)
                .body("groups.id", contains(newer, older))
                .body("groups[0].name", equalTo("group of " + me))
                .body("groups[0].owner", userId(me))
                .body("groups[0].memberCount", equalTo(3))
                .body("groups[1].owner", userId(friend))
                .body("groups[1].memberCount", equalTo(2))
                .body("groups[0].keySet()", containsInAnyOrder("id", "name", "owner", "memberCount"));
        removeMember(me, newer, me).then().statusCode(204);
        given().auth().oauth2(token(me)).get("/api/v1/groups")
                .then().statusCode(200).body("groups.id", contains(older));
        given().auth().oauth2(token(newUser())).get("/api/v1/groups")
                .then().statusCode(200).body("groups", empty());
        given().get("/api/v1/groups").then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
    }

    @Test
    void shouldShowAGroupWithItsMembersToMembersOnly() throws InterruptedException {
        long owner = newUser();
        long first = newUser();
        long outsider = newUser();
        String gid = createGroup(owner, List.of(first));
        Thread.sleep(5); // joined_at has millisecond precision
        long later = newUser();
        addMember(first, gid, later).then().statusCode(204);

        given().auth().oauth2(token(first)).get("/api/v1/groups/" + gid)
                .then().statusCode(200)
                .body("id", equalTo(gid))
                .body("name", equalTo("group of " + owner))
                .body("owner", userId(owner))
                .body("members", userIds(owner, first, later)) // longest-standing first
                .body("memberCount", equalTo(3));
        given().auth().oauth2(token(outsider)).get("/api/v1/groups/" + gid)
                .then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        given().auth().oauth2(token(owner)).get("/api/v1/groups/999999999999999996")
                .then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        given().get("/api/v1/groups/" + gid).then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
    }

    /** A group id is a decimal string: anything else names no group, so every /groups/{gid}/… path answers 404. */
    @Test
    void shouldAnswer404ForEveryPathWithANonNumericGroupId() {
        long owner = newUser();
        String token = token(owner);
        for (String bad : new String[] {"abc", "g:1", "g7Xk2", "-1", "1.5", "12345678901234567890"}) {
            given().auth().oauth2(token).get("/api/v1/groups/" + bad)
                    .then().statusCode(404).body("code", equalTo("NOT_FOUND"));
            given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("user", owner))
                    .post("/api/v1/groups/" + bad + "/members")
                    .then().statusCode(404).body("code", equalTo("NOT_FOUND"));
            given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of())
                    .post("/api/v1/groups/" + bad + "/members")
                    .then().statusCode(404).body("code", equalTo("NOT_FOUND"));
            removeMember(owner, bad, owner).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
            removeMember(owner, bad, "someone").then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A user auth-service knows (members are checked there); tokens are minted here ({@link #token}). */
    private static long newUser() {
        return Platform.get().registerUser();
    }

    /** A user who registered and then deleted the account. */
    private static long deletedUser() {
        Platform.User user = Platform.get().newUser("phone");
        given().auth().oauth2(user.token()).contentType(ContentType.JSON).body(Map.of("password", "password-" + user.username()))
                .delete(Platform.get().chatConfig().get("parley.chat.auth-service-url") + "/api/v1/users/me")
                .then().statusCode(204);
        return user.id();
    }

    private String token(long user) {
        return TestUsers.token(issuer, user);
    }

    private String createGroup(long owner, List<Long> members) {
        return given().auth().oauth2(token(owner)).contentType(ContentType.JSON)
                .body(Map.of("name", "group of " + owner, "members", members))
                .post("/api/v1/groups").then().statusCode(201).extract().path("id");
    }

    private io.restassured.response.Response addMember(long caller, String gid, long user) {
        return given().auth().oauth2(token(caller)).contentType(ContentType.JSON).body(Map.of("user", user))
                .post("/api/v1/groups/" + gid + "/members");
    }

    private io.restassured.response.Response removeMember(long caller, String gid, long user) {
        return removeMember(caller, gid, Long.toString(user));
    }

    private io.restassured.response.Response removeMember(long caller, String gid, String user) {
        return given().auth().oauth2(token(caller)).delete("/api/v1/groups/" + gid + "/members/" + user);
    }

    private Queue<String> listen(long user) {
        Queue<String> received = new ConcurrentLinkedQueue<>();
        subscribers.add(redis.pubsub(String.class).subscribe(RedisKeys.userChannel(user), received::add));
        return received;
    }

    private Set<String> membersCache(String gid) {
        return redis.set(String.class).smembers(RedisKeys.members("g:" + gid));
    }

    private Set<Long> membersInDb(String gid) {
        Set<Long> out = new HashSet<>();
        query("SELECT user_id FROM group_members WHERE group_id = ?", gid, rows -> out.add(rows.getLong(1)));
        return out;
    }

    private long ownerInDb(String gid) {
        long[] owner = {-1};
        query("SELECT owner FROM chat_groups WHERE id = ?", gid, rows -> owner[0] = rows.getLong(1));
        return owner[0];
    }

    private long groupsOwnedInDb(long owner) {
        long[] count = {0};
        query("SELECT COUNT(*) FROM chat_groups WHERE owner = ?", Long.toString(owner), rows -> count[0] = rows.getLong(1));
        return count[0];
    }

    private interface Row {
        void accept(ResultSet rows) throws SQLException;
    }

    private void query(String sql, String parameter, Row row) {
        try (Connection connection = db.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    row.accept(rows);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
