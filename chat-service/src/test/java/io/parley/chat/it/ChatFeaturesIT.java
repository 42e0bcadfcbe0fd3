package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.testsupport.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Presence, typing, read receipts, edit/delete, topics (text and binary), in-app notifications, the content filter
 * and the per-user limits — on two chat nodes (packaged jars) sharing one Redis and one MariaDB.
 */
class ChatFeaturesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static ServiceProcess node1;
    private static ServiceProcess node2;

    @BeforeAll
    static void startNodes() {
        node1 = startNode("features-1");
        node2 = startNode("features-2");
    }

    static Map<String, String> nodeEnv() {
        Map<String, String> env = new HashMap<>(Platform.get().chatEnv());
        env.put("PARLEY_CHAT_PRESENCE_HEARTBEAT", "1S");
        env.put("PARLEY_CHAT_PRESENCE_NODE_LEASE", "3S");
        env.put("PARLEY_CHAT_PRESENCE_OFFLINE_GRACE", "1S");
        env.put("PARLEY_CHAT_LIMITS_MAX_CONNECTIONS_PER_USER", "2");
        env.put("PARLEY_CHAT_LIMITS_MAX_TOPIC_SUBSCRIPTIONS", "3");
        env.put("PARLEY_CHAT_LIMITS_SENDS_PER_SECOND", "2");
        env.put("PARLEY_CHAT_LIMITS_SEND_BURST", "8");
        env.put("PARLEY_CHAT_FILTER_WORDS", "darn,heck");
        env.put("PARLEY_CHAT_ADMIN_KEY", "it-admin-key");
        return env;
    }

    static ServiceProcess startNode(String name) {
        return ServiceProcess.start(name, nodeEnv());
    }

    @AfterAll
    static void stopNodes() {
        if (node1 != null) {
            node1.close();
        }
        if (node2 != null) {
            node2.close();
        }
    }

    private static boolean is(JsonNode f, String type) {
        return type.equals(f.path("type").asText());
    }

    private static String direct(long a, long b) {
        return "d:" + Math.min(a, b) + ":" + Math.max(a, b);
    }

    private static void mutualContacts(Platform.User a, Platform.User b) {
        JsonNode first = Platform.post(node1.baseUrl() + "/api/v1/contacts", Map.of("user", b.id()), a.token(), 201);
        assertFalse(first.get("mutual").asBoolean());
        JsonNode second = Platform.post(node2.baseUrl() + "/api/v1/contacts", Map.of("user", a.id()), b.token(), 201);
        assertTrue(second.get("mutual").asBoolean());
    }

    private static JsonNode contactOf(String baseUrl, Platform.User owner, long contact) throws Exception {
        HttpResponse<String> list = Platform.get(baseUrl + "/api/v1/contacts", owner.token());
        assertEquals(200, list.statusCode());
        for (JsonNode c : JSON.readTree(list.body()).get("contacts")) {
            if (c.get("user").asLong() == contact) {
                return c;
            }
        }
        throw new AssertionError(contact + " is not a contact of " + owner.id() + ": " + list.body());
    }

    @Test
    void becomingMutualContactsShouldShowTheNewContactsPresenceAtOnce() throws Exception {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        try (ChatClient a = ChatClient.connectAndSync(node1.baseUrl(), alice.token());
             ChatClient b = ChatClient.connectAndSync(node2.baseUrl(), bob.token())) {
            Platform.post(node1.baseUrl() + "/api/v1/contacts", Map.of("user", bob.id()), alice.token(), 201);
            assertEquals("pending", contactOf(node1.baseUrl(), alice, bob.id()).get("status").asText());
            // bob adds alice back: alice, who sees bob as pending, is told bob is online without waiting for his
            // next change (and bob's answer already carries alice's status)
            JsonNode added = Platform.post(node2.baseUrl() + "/api/v1/contacts", Map.of("user", alice.id()), bob.token(), 201);
            assertEquals("online", added.get("status").asText());
            JsonNode presence = a.await(f -> is(f, "presence") && f.get("user").asLong() == bob.id(), WAIT);
            assertEquals("online", presence.get("status").asText());
        }
    }

    @Test
    void presenceShouldReachMutualContactsAcrossNodesWithoutFlapping() throws Exception {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        mutualContacts(alice, bob);
        try (ChatClient a = ChatClient.connectAndSync(node1.baseUrl(), alice.token())) {
            ChatClient b = ChatClient.connectAndSync(node2.baseUrl(), bob.token());
            JsonNode online = a.await(f -> is(f, "presence") && f.get("user").asLong() == bob.id(), WAIT);
            assertEquals("online", online.get("status").asText());
            assertEquals("online", contactOf(node1.baseUrl(), alice, bob.id()).get("status").asText());

            // a reconnect within the grace period is not announced
            b.close();
            ChatClient again = ChatClient.connectAndSync(node1.baseUrl(), bob.token());
            Thread.sleep(2500);
            assertTrue(a.pending().stream().noneMatch(f -> is(f, "presence") && "offline".equals(f.path("status").asText())),
                    "no offline announcement for a reconnect within the grace period: " + a.pending());

            long closedAt = System.currentTimeMillis();
            again.close();
            JsonNode offline = a.await(f -> is(f, "presence") && "offline".equals(f.path("status").asText()), WAIT);
            assertEquals(bob.id(), offline.get("user").asLong());
            assertTrue(offline.get("lastSeen").asLong() >= closedAt, "lastSeen is when the last device left");
            JsonNode listed = contactOf(node2.baseUrl(), alice, bob.id());
            assertEquals("offline", listed.get("status").asText());
            assertEquals(offline.get("lastSeen").asLong(), listed.get("lastSeen").asLong());
        }
    }

    @Test
    void usersOfANodeKilledWithSigkillShouldGoOfflineWithinTheLease() throws Exception {
        Platform.User carol = Platform.get().newUser("phone");
        Platform.User dave = Platform.get().newUser("phone");
        mutualContacts(carol, dave);
        ServiceProcess doomed = startNode("features-doomed");
        try (ChatClient d = ChatClient.connectAndSync(node1.baseUrl(), dave.token())) {
            ChatClient.connectAndSync(doomed.baseUrl(), carol.token());
            d.await(f -> is(f, "presence") && f.get("user").asLong() == carol.id() && "online".equals(f.path("status").asText()), WAIT);
            long killedAt = System.nanoTime();
            ProcessHandle.of(doomed.pid()).ifPresent(ProcessHandle::destroyForcibly);
            JsonNode offline = d.await(f -> is(f, "presence") && f.get("user").asLong() == carol.id()
                    && "offline".equals(f.path("status").asText()), Duration.ofSeconds(20));
            long millis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
            long seconds = millis / 1000;
            System.out.printf("presence: a node killed with SIGKILL; its user was announced offline after %d ms%n", millis);
            // lease 3 s + heartbeat 1 s + sweep: well under 10 s
            assertTrue(seconds < 10, "offline after " + seconds + " s");
            assertTrue(offline.get("lastSeen").asLong() > 0);
        } finally {
            doomed.close();
        }
    }

    @Test
    void typingAndReadShouldCrossNodesAndDriveUnreadCounts() throws Exception {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        Platform.User carol = Platform.get().newUser("phone");
        String cid = direct(alice.id(), bob.id());
        try (ChatClient a = ChatClient.connectAndSync(node1.baseUrl(), alice.token());
             ChatClient b = ChatClient.connectAndSync(node2.baseUrl(), bob.token())) {
            for (int i = 1; i <= 3; i++) {
                a.sendTo(bob.id(), "r" + i, "hello " + i);
                a.await(f -> is(f, "sent"), WAIT);
            }
            for (int i = 0; i < 3; i++) {
                b.await(f -> is(f, "message"), WAIT);
            }
            assertEquals(3, unread(node2, bob, cid));
            assertEquals(0, unread(node1, alice, cid), "one's own messages are read");

            ObjectNode typing = ChatClient.frame("typing").put("conversation", cid);
            b.send(typing);
            JsonNode seen = a.await(f -> is(f, "typing"), WAIT);
            assertEquals(bob.id(), seen.get("user").asLong());
            assertEquals(cid, seen.get("conversation").asText());

            b.send(ChatClient.frame("read").put("conversation", cid).put("seq", 2));
            JsonNode read = a.await(f -> is(f, "read"), WAIT);
            assertEquals(bob.id(), read.get("user").asLong());
            assertEquals(2, read.get("seq").asLong());
            assertEquals(1, unread(node1, bob, cid));
            // and the sender's list says how far bob has read, for read ticks on a device that saw no read frame
            assertEquals(2, listed(node2, alice, cid).get("peerRead").asLong());
            assertEquals(3, listed(node2, bob, cid).get("peerRead").asLong(), "alice read her own messages");

            // typing in a conversation one is not in: refused, connection kept
            b.send(ChatClient.frame("typing").put("conversation", direct(alice.id(), carol.id())));
            assertEquals("FORBIDDEN", b.await(f -> is(f, "error"), WAIT).get("code").asText());
            b.ping(); // waits for the pong
        }
        // group typing reaches the other members on both nodes, not the typist
        JsonNode group = Platform.post(node1.baseUrl() + "/api/v1/groups",
                Map.of("name", "typists", "members", List.of(bob.id(), carol.id())), alice.token(), 201);
        String gcid = "g:" + group.get("id").asText();
        try (ChatClient a = ChatClient.connectAndSync(node1.baseUrl(), alice.token());
             ChatClient b = ChatClient.connectAndSync(node2.baseUrl(), bob.token());
             ChatClient c = ChatClient.connectAndSync(node1.baseUrl(), carol.token())) {
            a.send(ChatClient.frame("typing").put("conversation", gcid));
            assertEquals(alice.id(), b.await(f -> is(f, "typing"), WAIT).get("user").asLong());
            assertEquals(alice.id(), c.await(f -> is(f, "typing"), WAIT).get("user").asLong());
            a.ping(); // waits for the pong
            assertTrue(a.pending().stream().noneMatch(f -> is(f, "typing")), "the typist is not told");
        }
    }

    private static long unread(ServiceProcess node, Platform.User user, String cid) throws Exception {
        return listed(node, user, cid).get("unread").asLong();
    }

    /** The conversation as {@code GET /conversations} lists it for the user. */
    private static JsonNode listed(ServiceProcess node, Platform.User user, String cid) throws Exception {
        HttpResponse<String> list = Platform.get(node.baseUrl() + "/api/v1/conversations", user.token());
        for (JsonNode c : JSON.readTree(list.body()).get("conversations")) {
            if (cid.equals(c.get("id").asText())) {
                return c;
            }
        }
        throw new AssertionError(cid + " not listed: " + list.body());
    }

    @Test
    void editAndDeleteShouldBeSeenLiveAfterSyncAndInHistory() throws Exception {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        String cid = direct(alice.id(), bob.id());
        String original;
        try (ChatClient a = ChatClient.connectAndSync(node1.baseUrl(), alice.token());
             ChatClient b = ChatClient.connectAndSync(node2.baseUrl(), bob.token())) {
            a.sendTo(bob.id(), "e1", "first version");
            original = a.await(f -> is(f, "sent"), WAIT).get("id").asText();
            b.await(f -> is(f, "message") && "first version".equals(f.path("body").asText()), WAIT);

            a.send(ChatClient.frame("edit").put("clientMsgId", "e2").put("conversation", cid)
                    .put("target", original).put("body", "second version"));
            JsonNode editSent = a.await(f -> is(f, "sent"), WAIT);
            JsonNode edit = b.await(f -> is(f, "message") && "edit".equals(f.path("kind").asText()), WAIT);
            assertEquals(original, edit.get("target").asText());
            assertEquals("second version", edit.get("body").asText());
            assertEquals(editSent.get("seq").asLong(), edit.get("seq").asLong());

            // someone else's message: refused, nothing stored
            b.send(ChatClient.frame("edit").put("clientMsgId", "x1").put("conversation", cid)
                    .put("target", original).put("body", "not mine"));
            JsonNode refused = b.await(f -> is(f, "error"), WAIT);
            assertEquals("FORBIDDEN", refused.get("code").asText());
            assertEquals("x1", refused.get("ref").asText());
            // unknown target
            b.send(ChatClient.frame("delete").put("clientMsgId", "x2").put("conversation", cid)
                    .put("target", "2".repeat(34)));
            assertEquals("EDIT_WINDOW_CLOSED", b.await(f -> is(f, "error"), WAIT).get("code").asText());

            a.send(ChatClient.frame("delete").put("clientMsgId", "e3").put("conversation", cid).put("target", original));
            a.await(f -> is(f, "sent"), WAIT);
            b.await(f -> is(f, "message") && "delete".equals(f.path("kind").asText()), WAIT);
            // a deleted message can no longer be edited
            a.send(ChatClient.frame("edit").put("clientMsgId", "e4").put("conversation", cid)
                    .put("target", original).put("body", "too late"));
            assertEquals("EDIT_WINDOW_CLOSED", a.await(f -> is(f, "error"), WAIT).get("code").asText());
        }
        // a device that syncs later sees the message, the edit and the delete, in seq order
        Platform.User bobTablet = Platform.get().signIn(bob, "tablet");
        try (ChatClient later = ChatClient.connect(node1.baseUrl(), bobTablet.token())) {
            later.send(ChatClient.frame("sync").set("cursors", JSON.createObjectNode().put(cid, 0)));
            List<String> kinds = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                kinds.add(later.await(f -> is(f, "message"), WAIT).get("kind").asText());
            }
            assertEquals(List.of("text", "edit", "delete"), kinds);
        }
        HttpResponse<String> history = Platform.get(node2.baseUrl() + "/api/v1/conversations/" + cid + "/messages", bob.token());
        JsonNode messages = JSON.readTree(history.body()).get("messages");
        JsonNode first = messages.get(messages.size() - 1);
        assertEquals(original, first.get("id").asText());
        assertEquals("deleted", first.get("kind").asText(), "history shows a tombstone: " + history.body());
        assertEquals("", first.get("body").asText());
    }

    @Test
    void topicPublicationsShouldReachSubscribersOnAnyNodeAndStayWithinTheirApp() throws Exception {
        Platform.App app = Platform.get().newApp();
        Platform.App other = Platform.get().newApp();
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        String publish = node2.baseUrl() + "/api/v1/apps/" + app.id() + "/topics/prices/publications";
        try (ChatClient a = ChatClient.connectAndSync(node1.baseUrl(), alice.token());
             ChatClient bin = ChatClient.connect(node1.baseUrl(), bob.token(), "/ws/chat", "parley.cbor.v1")) {
            ObjectNode subscribe = ChatClient.frame("subscribe").put("appId", app.id());
            subscribe.putArray("topics").add("prices");
            a.send(subscribe);
            assertEquals("FORBIDDEN", a.await(f -> is(f, "error"), WAIT).get("code").asText(), "not granted yet");

            Platform.post(node2.baseUrl() + "/api/v1/apps/" + app.id() + "/grants",
                    Map.of("users", List.of(alice.id(), bob.id())), app.token(), 204);
            a.send(subscribe);
            assertEquals(app.id(), a.await(f -> is(f, "subscribed"), WAIT).get("appId").asText());
            assertEquals("parley.cbor.v1", bin.subprotocol());
            bin.sendBinary(subscribe);
            bin.await(f -> is(f, "subscribed"), WAIT);

            JsonNode accepted = Platform.post(publish, Map.of("data", "42.17"), app.token(), 202);
            assertTrue(accepted.hasNonNull("id"));
            JsonNode text = a.await(f -> is(f, "publication"), WAIT);
            assertEquals("prices", text.get("topic").asText());
            assertEquals("42.17", text.get("data").asText());
            assertEquals("42.17", bin.await(f -> is(f, "publication"), WAIT).get("data").asText());

            byte[] payload = new byte[300];
            ThreadLocalRandom.current().nextBytes(payload);
            Platform.post(publish, Map.of("data", Base64.getEncoder().encodeToString(payload), "encoding", "base64"), app.token(), 202);
            JsonNode asText = a.await(f -> is(f, "publication"), WAIT);
            assertEquals("base64", asText.get("encoding").asText());
            assertArrayEquals(payload, Base64.getDecoder().decode(asText.get("data").asText()));
            JsonNode asBinary = bin.await(f -> is(f, "publication"), WAIT);
            assertArrayEquals(payload, asBinary.get("data").binaryValue(), "binary data round-trips intact");
            assertTrue(bin.binaryFramesReceived() >= 3, "the binary client gets binary frames");

            // another app may neither publish to nor manage this app's topics; users cannot subscribe to it
            Platform.post(publish, Map.of("data", "spoof"), other.token(), 403);
            Platform.post(node1.baseUrl() + "/api/v1/apps/" + app.id() + "/grants", Map.of("users", List.of(bob.id())), other.token(), 403);
            Platform.post(publish, Map.of("data", "x"), alice.token(), 403);
            Platform.post(publish, Map.of("data", "%%%", "encoding", "base64"), app.token(), 400);
            ObjectNode foreign = ChatClient.frame("subscribe").put("appId", other.id());
            foreign.putArray("topics").add("prices");
            a.send(foreign);
            assertEquals("FORBIDDEN", a.await(f -> is(f, "error"), WAIT).get("code").asText());

            // per-connection cap (3 here): prices + 2 more fit, a fourth does not; the connection stays usable
            ObjectNode more = ChatClient.frame("subscribe").put("appId", app.id());
            more.putArray("topics").add("a").add("b").add("c");
            a.send(more);
            JsonNode capped = a.await(f -> is(f, "error"), WAIT);
            assertEquals("LIMIT_EXCEEDED", capped.get("code").asText());
            ObjectNode unsubscribe = ChatClient.frame("unsubscribe").put("appId", app.id());
            unsubscribe.putArray("topics").add("prices");
            a.send(unsubscribe);
            a.await(f -> is(f, "unsubscribed"), WAIT);
            Platform.post(publish, Map.of("data", "after"), app.token(), 202);
            assertEquals("after", bin.await(f -> is(f, "publication"), WAIT).get("data").asText());
            a.ping(); // waits for the pong
            assertTrue(a.pending().stream().noneMatch(f -> is(f, "publication")), "unsubscribed: nothing more arrives");
        }
    }

    /**
     * Withdrawn access reaches open subscriptions on every node within a second: a revoked grant, then the app
     * made private, take the app's topics from the users no longer allowed; those still allowed keep them.
     */
    @Test
    void withdrawnTopicAccessShouldStopPublicationsWithinASecond() throws Exception {
        Platform.App app = Platform.get().newApp();
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        Platform.User carol = Platform.get().newUser("phone");
        String apps = node2.baseUrl() + "/api/v1/apps/" + app.id();
        Platform.post(apps + "/grants", Map.of("users", List.of(alice.id(), bob.id())), app.token(), 204);
        ObjectNode subscribe = ChatClient.frame("subscribe").put("appId", app.id());
        subscribe.putArray("topics").add("scores").add("news");
        try (ChatClient a = ChatClient.connectAndSync(node1.baseUrl(), alice.token());
             ChatClient b = ChatClient.connectAndSync(node2.baseUrl(), bob.token());
             ChatClient c = ChatClient.connectAndSync(node1.baseUrl(), carol.token())) {
            a.send(subscribe);
            b.send(subscribe);
            a.await(f -> is(f, "subscribed"), WAIT);
            b.await(f -> is(f, "subscribed"), WAIT);

            assertEquals(204, request("DELETE", apps + "/grants/" + bob.id(), null, app.token()));
            JsonNode withdrawn = b.await(f -> is(f, "unsubscribed"), Duration.ofSeconds(1));
            assertEquals("FORBIDDEN", withdrawn.get("reason").asText());
            assertEquals(app.id(), withdrawn.get("appId").asText());
            assertEquals(2, withdrawn.get("topics").size(), "every topic of the app: " + withdrawn);
            Platform.post(apps + "/topics/scores/publications", Map.of("data", "after revoke"), app.token(), 202);
            assertEquals("after revoke", a.await(f -> is(f, "publication"), WAIT).get("data").asText());
            b.ping();
            assertTrue(b.pending().stream().noneMatch(f -> is(f, "publication")), "revoked: nothing arrives");

            assertEquals(200, request("PUT", apps + "/access", "{\"public\":true}", app.token()));
            c.send(subscribe);
            c.await(f -> is(f, "subscribed"), WAIT);
            assertEquals(200, request("PUT", apps + "/access", "{\"public\":false}", app.token()));
            assertEquals("FORBIDDEN", c.await(f -> is(f, "unsubscribed"), Duration.ofSeconds(1)).get("reason").asText());
            Platform.post(apps + "/topics/news/publications", Map.of("data", "private again"), app.token(), 202);
            assertEquals("private again", a.await(f -> is(f, "publication"), WAIT).get("data").asText(),
                    "a granted user keeps the topics of an app made private");
            c.ping();
            a.ping();
            assertTrue(c.pending().stream().noneMatch(f -> is(f, "publication") || is(f, "unsubscribed")));
            assertTrue(a.pending().stream().noneMatch(f -> is(f, "unsubscribed")), "alice was never withdrawn");
        }
    }

    private static int request(String method, String url, String json, String token) throws Exception {
        var builder = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        return HttpClient.newHttpClient().send(builder.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void inAppNotificationsShouldWaitForOfflineUsersAndArriveLive() {
        Platform.App app = Platform.get().newApp();
        Platform.User user = Platform.get().newUser("phone");
        String url = node2.baseUrl() + "/api/v1/apps/" + app.id() + "/notifications";
        JsonNode accepted = Platform.post(url, Map.of("id", "n-1", "users", List.of(user.id()), "title", "Hi",
                "body", "while you were away"), app.token(), 202);
        assertEquals(user.id(), accepted.get("accepted").get(0).asLong());
        String seq;
        try (ChatClient n = ChatClient.connect(node1.baseUrl(), user.token(), "/ws/notify", null)) {
            JsonNode waiting = n.await(f -> is(f, "notification"), WAIT);
            assertEquals("n-1", waiting.get("id").asText());
            assertEquals("while you were away", waiting.get("body").asText());
            Platform.post(url, Map.of("id", "n-2", "users", List.of(user.id()), "title", "Live", "body", "now",
                    "data", Map.of("orderId", 7)), app.token(), 202);
            JsonNode live = n.await(f -> is(f, "notification") && "n-2".equals(f.path("id").asText()), WAIT);
            assertEquals(7, live.get("data").get("orderId").asInt());
            seq = live.get("seq").asText();
            n.send(ChatClient.frame("ack").put("seq", seq));
            n.ping(); // waits for the pong
        }
        try (ChatClient again = ChatClient.connect(node2.baseUrl(), user.token(), "/ws/notify", null)) {
            again.ping(); // waits for the pong
            assertTrue(again.pending().stream().noneMatch(f -> is(f, "notification")), "acknowledged ones are not resent");
        }
        Platform.post(url, Map.of("users", List.of(user.id()), "title", "", "body", "x"), app.token(), 400);
        Platform.post(node2.baseUrl() + "/api/v1/apps/" + app.id() + "/notifications",
                Map.of("users", List.of(user.id()), "title", "t", "body", "b"), user.token(), 403);
    }

    @Test
    void aRepeatedNotificationIdShouldBeStoredAndPushedOncePerApp() {
        Platform.App app = Platform.get().newApp();
        Platform.App otherApp = Platform.get().newApp();
        Platform.User user = Platform.get().newUser("phone");
        String path = "/api/v1/apps/" + app.id() + "/notifications";
        Map<String, Object> body = Map.of("id", "order-7-shipped", "users", List.of(user.id()), "title", "Shipped", "body", "on its way");
        try (ChatClient n = ChatClient.connect(node1.baseUrl(), user.token(), "/ws/notify", null)) {
            n.ping(); // the connection is set up
            // a retry of a post the caller was unsure of, on another node, and the same id from another app
            assertEquals("order-7-shipped", Platform.post(node1.baseUrl() + path, body, app.token(), 202).get("id").asText());
            assertEquals("order-7-shipped", Platform.post(node2.baseUrl() + path, body, app.token(), 202).get("id").asText());
            Platform.post(node2.baseUrl() + "/api/v1/apps/" + otherApp.id() + "/notifications", body, otherApp.token(), 202);
            Platform.post(node1.baseUrl() + path, Map.of("id", "after", "users", List.of(user.id()), "title", "t", "body", "b"),
                    app.token(), 202);
            n.await(f -> is(f, "notification") && "after".equals(f.path("id").asText()), WAIT);
            assertEquals(2, n.pending().stream().filter(f -> is(f, "notification") && "order-7-shipped".equals(f.path("id").asText()))
                    .count(), "pushed once for each app: " + n.pending());
        }
        try (ChatClient again = ChatClient.connect(node2.baseUrl(), user.token(), "/ws/notify", null)) {
            again.await(f -> is(f, "notification") && "after".equals(f.path("id").asText()), WAIT);
            assertEquals(2, again.pending().stream().filter(f -> is(f, "notification") && "order-7-shipped".equals(f.path("id").asText()))
                    .count(), "stored once for each app: " + again.pending());
        }
    }

    @Test
    void limitsShouldAnswerWithTheirErrorsAndLeaveOthersAlone() throws Exception {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        // connection cap (2): a third connection closes the oldest, on whichever node it is
        ChatClient first = ChatClient.connectAndSync(node1.baseUrl(), alice.token());
        ChatClient second = ChatClient.connectAndSync(node2.baseUrl(), Platform.get().signIn(alice, "tablet").token());
        ChatClient third = ChatClient.connectAndSync(node2.baseUrl(), Platform.get().signIn(alice, "laptop").token());
        assertEquals(4508, first.awaitClose(WAIT));
        second.ping(); // waits for the pong
        third.ping(); // waits for the pong

        // send rate (2/s, burst 8): a burst beyond it gets RATE_LIMITED for the extra sends, the rest are stored
        try (ChatClient b = ChatClient.connectAndSync(node1.baseUrl(), bob.token())) {
            for (int i = 0; i < 14; i++) {
                third.sendTo(bob.id(), "burst-" + i, "burst " + i);
            }
            int sent = 0;
            int limited = 0;
            while (sent + limited < 14) {
                JsonNode f = third.await(x -> is(x, "sent") || is(x, "error"), WAIT);
                if (is(f, "sent")) {
                    sent++;
                } else {
                    assertEquals("RATE_LIMITED", f.get("code").asText());
                    assertTrue(f.get("ref").asText().startsWith("burst-"));
                    limited++;
                }
            }
            assertTrue(sent >= 8 && limited >= 1, sent + " sent, " + limited + " limited");
            for (int i = 0; i < sent; i++) {
                b.await(f -> is(f, "message"), WAIT);
            }
            // bob is not limited by alice's budget
            b.sendTo(alice.id(), "bob-1", "unaffected");
            b.await(f -> is(f, "sent"), WAIT);

            // content filter (replace mode): listed words masked before storing, clean text untouched
            Thread.sleep(1500);
            third.sendTo(bob.id(), "f1", "what the heck");
            assertEquals("what the ****", b.await(f -> is(f, "message") && "f1".length() > 0
                    && f.path("body").asText().startsWith("what the"), WAIT).get("body").asText());
        } finally {
            second.close();
            third.close();
        }
        // the admin endpoint shows the node's load and needs the admin key
        HttpResponse<String> load = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(node1.baseUrl() + "/api/v1/admin/node")).header("X-Admin-Key", "it-admin-key").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, load.statusCode());
        assertTrue(JSON.readTree(load.body()).has("connections"));
        HttpResponse<String> refused = Platform.get(node1.baseUrl() + "/api/v1/admin/node", alice.token());
        assertEquals(401, refused.statusCode());
    }
}
