package io.parley.chat.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.ChatMessage;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.PersistListener;
import io.parley.chat.store.RedisKeys;
import io.parley.common.redis.OutboxEvent;
import io.quarkus.redis.datasource.RedisDataSource;
import io.parley.common.redis.RedisScript;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Hands messages for users with no open connection to notify-service: one outbox entry ({@link OutboxEvent}, common's
 * shape and stream name, so both services agree; a Redis stream read by notify-service's consumer group) per message
 * and offline recipient. Hears from the write-behind ({@link PersistListener}) after MySQL committed a batch and
 * before the batch is acknowledged, so a crash repeats an entry rather than losing it (notify-service de-duplicates
 * by message id). Edits and deletes are not relayed; nor are groups larger than the
 * configured size (one entry per member would flood the outbox). Blocking: the write-behind thread.
 */
@ApplicationScoped
public class OfflineRelay implements PersistListener {

    private static final Set<String> RELAYED_KINDS = Set.of("text", "image", "file", "custom");

    private static final RedisScript ONLINE = RedisScript.load("relay_online");
    private static final RedisScript OUTBOX = RedisScript.load("relay_outbox");

    private final RedisDataSource redis;
    /** One Redis server: a batch's presence keys are checked in one script call (a Cluster takes them one by one). */
    private final boolean oneShard;
    private final ChatConfig.Notify config;
    private final Counter relayed;

    public OfflineRelay(RedisDataSource redis, ChatConfig config, MeterRegistry metrics,
                        @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType) {
        this.redis = redis;
        this.oneShard = "standalone".equalsIgnoreCase(clientType);
        this.config = config.notifications();
        this.relayed = metrics.counter("parley.chat.relay.outbox");
    }

    /**
     * Per batch, not per message: each group's members read once, every recipient's presence in one script call, the
     * outbox entries in another. One EXISTS per message, each its own round trip, cost Redis about 18 µs of
     * CPU apiece (a read and a write system call each) — more than the work of the command.
     */
    @Override
    public void onPersisted(List<ChatMessage> messages) {
        if (!config.relayEnabled() || messages.isEmpty()) {
            return;
        }
        Map<String, List<Long>> membersOfGroup = new HashMap<>();
        List<ChatMessage> relayedMessages = new ArrayList<>();
        List<List<Long>> recipientsOf = new ArrayList<>();
        Set<Long> users = new LinkedHashSet<>();
        for (ChatMessage m : messages) {
            if (!RELAYED_KINDS.contains(m.kind())) {
                continue;
            }
            List<Long> recipients = recipients(m, membersOfGroup);
            if (!recipients.isEmpty()) {
                relayedMessages.add(m);
                recipientsOf.add(recipients);
                users.addAll(recipients);
            }
        }
        if (users.isEmpty()) {
            return;
        }
        Set<Long> online = online(users);
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < relayedMessages.size(); i++) {
            ChatMessage m = relayedMessages.get(i);
            for (long user : recipientsOf.get(i)) {
                if (!online.contains(user)) {
                    entries.add(outboxEntry(m, user));
                }
            }
        }
        if (!entries.isEmpty()) {
            appendToOutbox(entries);
            relayed.increment(entries.size());
        }
    }

    private List<Long> recipients(ChatMessage m, Map<String, List<Long>> membersOfGroup) {
        if (m.toGroup() == null) {
            return m.toUser() == m.from() ? List.of() : List.of(m.toUser());
        }
        return membersOfGroup.computeIfAbsent(m.toGroup(), this::smallGroupMembers).stream()
                .filter(u -> u != m.from()).toList();
    }

    /** A group's members, or none for a group larger than the relay serves (its cache holds a marker besides them). */
    private List<Long> smallGroupMembers(String group) {
        String members = RedisKeys.members(ConversationId.group(group).value());
        if (redis.set(String.class).scard(members) > config.relayMaxGroupMembers() + 1) {
            return List.of();
        }
        return redis.set(String.class).smembers(members).stream()
                .filter(u -> !RedisKeys.LOADED_MARKER.equals(u))
                .map(Long::parseLong).toList();
    }

    /** Which of {@code users} have a presence key: one script call on a one-shard Redis, one EXISTS each on a Cluster. */
    private Set<Long> online(Set<Long> users) {
        List<Long> asked = new ArrayList<>(users);
        Set<Long> online = new HashSet<>();
        if (oneShard) {
            List<String> keys = new ArrayList<>(asked.size());
            for (long user : asked) {
                keys.add(RedisKeys.presence(user));
            }
            Response answers = ONLINE.run(redis, keys);
            for (int i = 0; i < asked.size(); i++) {
                if (answers.get(i).toInteger() > 0) {
                    online.add(asked.get(i));
                }
            }
        } else {
            for (long user : asked) {
                if (redis.key().exists(RedisKeys.presence(user))) {
                    online.add(user);
                }
            }
        }
        return online;
    }

    private String outboxEntry(ChatMessage m, long user) {
        return OutboxEvent.message(user, m.id(), m.conversation(), m.seq(), m.from(), m.body(), m.kind(), m.ts()).json();
    }

    private void appendToOutbox(List<String> entries) {
        List<String> args = new ArrayList<>(entries.size() + 2);
        args.add(Long.toString(config.outboxMaxLength()));
        args.add(OutboxEvent.FIELD);
        args.addAll(entries);
        OUTBOX.run(redis, List.of(config.outboxStream()), args.toArray(String[]::new));
    }
}
