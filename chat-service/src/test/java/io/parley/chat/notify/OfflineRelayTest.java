package io.parley.chat.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import static org.awaitility.Awaitility.await;

import io.parley.chat.config.ChatConfig;
import io.parley.chat.it.ChatClient;
import io.parley.chat.protocol.ChatMessage;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.support.IdServiceTestResource;
import io.parley.chat.support.TestUsers;
import io.parley.common.redis.OutboxEvent;
import io.parley.common.redis.SharedKeys;
import io.parley.common.token.AccessTokenIssuer;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The relay hands notify-service one outbox entry per relayed message and recipient with no open connection — direct
 * and small-group messages, not edits, not the sender, not members of groups larger than the relay serves — with a
 * whole write-behind batch checked in a few pipelined round trips.
 */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_chat"))
@QuarkusTestResource(IdServiceTestResource.class)
class OfflineRelayTest {

    @Inject
    OfflineRelay relay;

    @Inject
    RedisDataSource redis;

    @Inject
    ChatConfig config;

    @Inject
    AccessTokenIssuer issuer;

    @TestHTTPResource("/")
    URL base;

    @Test
    void shouldRelayEachMessageToItsOfflineRecipientsOnly() {
        long alice = TestUsers.newUserId();
        long bobOnline = TestUsers.newUserId();
        long carolOffline = TestUsers.newUserId();
        redis.value(String.class).set(RedisKeys.presence(bobOnline), "1");
        String smallGroup = Long.toString(TestUsers.newUserId());
        redis.set(String.class).sadd(RedisKeys.members(ConversationId.group(smallGroup).value()), RedisKeys.LOADED_MARKER,
                Long.toString(alice), Long.toString(bobOnline), Long.toString(carolOffline));
        String largeGroup = Long.toString(TestUsers.newUserId());
        List<String> many = new ArrayList<>(List.of(RedisKeys.LOADED_MARKER, Long.toString(carolOffline)));
        for (int i = 0; i < config.notifications().relayMaxGroupMembers() + 5; i++) {
            many.add(Long.toString(TestUsers.newUserId()));
        }
        redis.set(String.class).sadd(RedisKeys.members(ConversationId.group(largeGroup).value()), many.toArray(String[]::new));

        ChatMessage toBob = direct(alice, bobOnline, "text");
        ChatMessage toCarol = direct(alice, carolOffline, "text");
        ChatMessage editToCarol = direct(alice, carolOffline, "edit");
        ChatMessage inSmallGroup = group(alice, smallGroup, 1);
        ChatMessage againInSmallGroup = group(alice, smallGroup, 2);
        ChatMessage inLargeGroup = group(alice, largeGroup, 1);
        String stream = config.notifications().outboxStream();
        String before = Long.toString(System.currentTimeMillis() - 1) + "-0";

        relay.onPersisted(List.of(toBob, toCarol, editToCarol, inSmallGroup, againInSmallGroup, inLargeGroup));

        List<OutboxEvent> relayed = redis.stream(String.class).xrange(stream, StreamRange.of(before, "+")).stream()
                .map(entry -> OutboxEvent.parse(entry.payload().get(OutboxEvent.FIELD)))
                .filter(e -> e.from() == alice).toList();
        assertEquals(Set.of(carolOffline), relayed.stream().map(OutboxEvent::user).collect(Collectors.toSet()),
                "only the offline recipient: " + relayed);
        assertEquals(List.of(toCarol.id(), inSmallGroup.id(), againInSmallGroup.id()),
                relayed.stream().map(OutboxEvent::messageId).toList());
        assertEquals(toCarol.body(), relayed.get(0).body());
    }

    @Test
    void shouldRelayToThePushDevicesWithoutAConnectionWhileTheUserIsOnline() throws Exception {
        long alice = TestUsers.newUserId();
        long bob = TestUsers.newUserId();
        long carol = TestUsers.newUserId();
        long dave = TestUsers.newUserId();
        // bob: laptop online, phone registered for push; carol: online on her only push device; dave: online, no push
        redis.set(String.class).sadd(SharedKeys.pushDevices(bob), "laptop", "phone");
        redis.set(String.class).sadd(SharedKeys.pushDevices(carol), "laptop");
        try (ChatClient bobLaptop = ChatClient.connect(ChatClient.baseUrl(base), TestUsers.token(issuer, bob, "laptop"));
             ChatClient carolLaptop = ChatClient.connect(ChatClient.baseUrl(base), TestUsers.token(issuer, carol, "laptop"));
             ChatClient daveLaptop = ChatClient.connect(ChatClient.baseUrl(base), TestUsers.token(issuer, dave, "laptop"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> List.of(bob, carol, dave).stream()
                    .allMatch(u -> redis.key().exists(RedisKeys.presence(u))));
            String before = Long.toString(System.currentTimeMillis() - 1) + "-0";

            relay.onPersisted(List.of(direct(alice, bob, "text"), direct(alice, carol, "text"), direct(alice, dave, "text")));

            List<OutboxEvent> relayed = redis.stream(String.class)
                    .xrange(config.notifications().outboxStream(), StreamRange.of(before, "+")).stream()
                    .map(entry -> OutboxEvent.parse(entry.payload().get(OutboxEvent.FIELD)))
                    .filter(e -> e.from() == alice).toList();
            assertEquals(List.of(bob), relayed.stream().map(OutboxEvent::user).toList(),
                    "only bob has a push device without a connection: " + relayed);
            assertEquals(List.of("laptop"), relayed.get(0).connectedDevices());
        }
    }

    @Test
    void shouldCountTheUnreadTotalAsTheBadgeOfARecipientWithPushDevices() {
        long alice = TestUsers.newUserId();
        long bob = TestUsers.newUserId();
        long carolWithoutPush = TestUsers.newUserId();
        redis.set(String.class).sadd(SharedKeys.pushDevices(bob), "phone");
        // bob's conversations: with alice, 4 messages, none read; with someone else, 10 messages, 8 read
        String withAlice = ConversationId.direct(alice, bob).value();
        String other = ConversationId.direct(bob, TestUsers.newUserId()).value();
        redis.hash(String.class).hset(RedisKeys.userConversations(bob), Map.of(withAlice, "1", other, "2"));
        redis.value(String.class).set(RedisKeys.seq(withAlice), "4");
        redis.value(String.class).set(RedisKeys.seq(other), "10");
        redis.hash(String.class).hset(RedisKeys.userRead(bob), other, "8");
        String before = Long.toString(System.currentTimeMillis() - 1) + "-0";

        relay.onPersisted(List.of(direct(alice, bob, "text"), direct(alice, carolWithoutPush, "text")));

        Map<Long, OutboxEvent> relayed = redis.stream(String.class)
                .xrange(config.notifications().outboxStream(), StreamRange.of(before, "+")).stream()
                .map(entry -> OutboxEvent.parse(entry.payload().get(OutboxEvent.FIELD)))
                .filter(e -> e.from() == alice).collect(Collectors.toMap(OutboxEvent::user, e -> e));
        assertEquals(6, relayed.get(bob).badge(), "4 unread with alice + 2 in the other conversation");
        assertNull(relayed.get(bob).connectedDevices(), "bob is offline: relayed to every channel");
        assertNull(relayed.get(carolWithoutPush).badge(), "no push devices: nothing counted");
    }

    private static ChatMessage direct(long from, long to, String kind) {
        String cid = ConversationId.direct(from, to).value();
        return new ChatMessage(TestUsers.messageId(from), cid, 1, from, to, null, kind + " for " + to, kind,
                System.currentTimeMillis(), null, "cmid-" + kind + to);
    }

    private static ChatMessage group(long from, String group, long seq) {
        return new ChatMessage(TestUsers.messageId(from), ConversationId.group(group).value(), seq, from, 0, group,
                "to the group " + seq, "text", System.currentTimeMillis(), null, "cmid-g" + seq);
    }
}
