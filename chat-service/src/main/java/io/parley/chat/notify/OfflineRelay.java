package io.parley.chat.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.ChatMessage;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.PersistListener;
import io.parley.chat.store.RedisKeys;
import io.parley.common.redis.OutboxEvent;
import io.parley.common.redis.SharedKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.parley.common.redis.RedisScript;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Hands messages for users with no open connection to notify-service: one outbox entry ({@link OutboxEvent}, common's
 * shape and stream name, so both services agree; a Redis stream read by notify-service's consumer group) per message
 * and offline recipient. Presence is per device for push: a recipient who is online, but has a push device
 * (notify-service's {@link SharedKeys#pushDevices} set) with no open connection, gets an entry too, naming the
 * devices that are connected — notify-service pushes only to the others, so an open laptop does not silence the
 * phone. For a recipient with no push devices that check is one EXISTS inside the same script call. Hears from the write-behind ({@link PersistListener}) after MySQL committed a batch and
 * before the batch is acknowledged, so a crash repeats an entry rather than losing it (notify-service de-duplicates
 * by message id). Edits and deletes are not relayed; nor are groups larger than the
 * configured size (one entry per member would flood the outbox). Blocking: the write-behind thread.
 */
@ApplicationScoped
public class OfflineRelay implements PersistListener {

    private static final Logger LOG = Logger.getLogger(OfflineRelay.class);
    private static final Set<String> RELAYED_KINDS = Set.of("text", "image", "file", "custom");

    private static final RedisScript PRESENCE = RedisScript.load("relay_presence");
    /** A recipient to whom nothing is relayed: online, and no push device of theirs lacks a connection. */
    // two distinct instances, compared by identity (List.of() is one shared instance)
    private static final List<String> REACHED = Collections.unmodifiableList(new ArrayList<>());
    /** A recipient with no open connection who has push devices (their push gets the unread total as its badge). */
    private static final List<String> OFFLINE_WITH_PUSH = Collections.unmodifiableList(new ArrayList<>());
    private static final RedisScript OUTBOX = RedisScript.load("relay_outbox");

    private final RedisDataSource redis;
    private final UnreadTotals unread;
    /** One Redis server: a batch's presence keys are checked in one script call (a Cluster takes them one by one). */
    private final boolean oneShard;
    private final ChatConfig.Notify config;
    private final Counter relayed;

    public OfflineRelay(RedisDataSource redis, UnreadTotals unread, ChatConfig config, MeterRegistry metrics,
                        @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType) {
        this.redis = redis;
        this.unread = unread;
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
        Map<Long, List<String>> connected = connectedDevices(users);
        // the badge: counted once per batch for the recipients a push goes to (after this batch's messages)
        Set<Long> pushed = new LinkedHashSet<>();
        connected.forEach((user, devices) -> {
            if (devices != REACHED) {
                pushed.add(user);
            }
        });
        Map<Long, Integer> badges = pushed.isEmpty() ? Map.of() : badges(pushed);
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < relayedMessages.size(); i++) {
            ChatMessage m = relayedMessages.get(i);
            for (long user : recipientsOf.get(i)) {
                List<String> devices = connected.get(user);
                if (devices != REACHED) {
                    entries.add(outboxEntry(m, user, devices == OFFLINE_WITH_PUSH ? null : devices, badges.get(user)));
                }
            }
        }
        if (!entries.isEmpty()) {
            appendToOutbox(entries);
            relayed.increment(entries.size());
        }
    }

    /** The badges, or none when they cannot be counted now: a push without a badge beats a relay held up. */
    private Map<Long, Integer> badges(Set<Long> users) {
        try {
            return unread.of(users);
        } catch (RuntimeException e) {
            LOG.warnf("unread totals for push badges not counted (%s): these pushes carry no badge", e.getMessage());
            return Map.of();
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

    /**
     * Per recipient: absent — no open connection and no push devices; {@link #OFFLINE_WITH_PUSH} — no open
     * connection, push devices; {@link #REACHED} — online with every push device connected (or none); otherwise the
     * device ids that are connected. One script call on a one-shard Redis, one per recipient on a
     * Cluster (each recipient's three keys share a hash tag).
     */
    private Map<Long, List<String>> connectedDevices(Set<Long> users) {
        List<Long> asked = new ArrayList<>(users);
        Map<Long, List<String>> out = new HashMap<>();
        if (oneShard) {
            List<String> keys = new ArrayList<>(asked.size() * 3);
            for (long user : asked) {
                addKeys(keys, user);
            }
            Response answers = PRESENCE.run(redis, keys);
            for (int i = 0; i < asked.size(); i++) {
                read(answers.get(i), asked.get(i), out);
            }
        } else {
            for (long user : asked) {
                List<String> keys = new ArrayList<>(3);
                addKeys(keys, user);
                read(PRESENCE.run(redis, keys).get(0), user, out);
            }
        }
        return out;
    }

    private static void addKeys(List<String> keys, long user) {
        keys.add(RedisKeys.presence(user));
        keys.add(RedisKeys.presenceConnections(user));
        keys.add(SharedKeys.pushDevices(user));
    }

    private static void read(Response answer, long user, Map<Long, List<String>> out) {
        if (answer.type() == ResponseType.MULTI) {
            List<String> devices = new ArrayList<>(answer.size());
            for (int i = 0; i < answer.size(); i++) {
                devices.add(answer.get(i).toString());
            }
            out.put(user, devices);
        } else if (answer.toInteger() == 1) {
            out.put(user, REACHED);
        } else if (answer.toInteger() == 2) {
            out.put(user, OFFLINE_WITH_PUSH);
        }
    }

    private String outboxEntry(ChatMessage m, long user, List<String> connectedDevices, Integer badge) {
        return OutboxEvent.message(user, m.id(), m.conversation(), m.seq(), m.from(), m.body(), m.kind(), m.ts(),
                connectedDevices, badge).json();
    }

    private void appendToOutbox(List<String> entries) {
        List<String> args = new ArrayList<>(entries.size() + 2);
        args.add(Long.toString(config.outboxMaxLength()));
        args.add(OutboxEvent.FIELD);
        args.addAll(entries);
        OUTBOX.run(redis, List.of(config.outboxStream()), args.toArray(String[]::new));
    }
}
