package io.parley.chat.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.ChatMessage;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.PersistListener;
import io.parley.chat.store.RedisKeys;
import io.parley.common.redis.OutboxEvent;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.stream.XAddArgs;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Set<String> RELAYED_KINDS = Set.of("text", "image", "file", "custom");

    private final ReactiveRedisDataSource redis;
    private final ChatConfig.Notify config;
    private final Counter relayed;

    public OfflineRelay(ReactiveRedisDataSource redis, ChatConfig config, MeterRegistry metrics) {
        this.redis = redis;
        this.config = config.notifications();
        this.relayed = metrics.counter("parley.chat.relay.outbox");
    }

    @Override
    public void onPersisted(List<ChatMessage> messages) {
        if (!config.relayEnabled() || messages.isEmpty()) {
            return;
        }
        List<Uni<Void>> work = new ArrayList<>();
        for (ChatMessage m : messages) {
            if (!RELAYED_KINDS.contains(m.kind())) {
                continue;
            }
            work.add(recipients(m).flatMap(users -> {
                List<Uni<Void>> each = new ArrayList<>(users.size());
                for (long user : users) {
                    each.add(redis.key().exists(RedisKeys.presence(user))
                            .flatMap(online -> online ? Uni.createFrom().voidItem() : append(m, user)));
                }
                return each.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(each).andFailFast().replaceWithVoid();
            }));
        }
        if (!work.isEmpty()) {
            Uni.join().all(work).andFailFast().await().atMost(WAIT);
        }
    }

    private Uni<List<Long>> recipients(ChatMessage m) {
        if (m.toGroup() == null) {
            return Uni.createFrom().item(m.toUser() == m.from() ? List.of() : List.of(m.toUser()));
        }
        String members = RedisKeys.members(ConversationId.group(m.toGroup()).value());
        return redis.set(String.class).scard(members).flatMap(size -> size > config.relayMaxGroupMembers() + 1
                ? Uni.createFrom().item(List.<Long>of())
                : redis.set(String.class).smembers(members).map(all -> all.stream()
                        .filter(u -> !RedisKeys.LOADED_MARKER.equals(u))
                        .map(Long::parseLong).filter(u -> u != m.from()).toList()));
    }

    private Uni<Void> append(ChatMessage m, long user) {
        OutboxEvent event = OutboxEvent.message(user, m.id(), m.conversation(), m.seq(), m.from(), m.body(), m.kind(),
                m.ts());
        return redis.stream(String.class).xadd(config.outboxStream(),
                        new XAddArgs().maxlen(config.outboxMaxLength()).nearlyExactTrimming(),
                        Map.of(OutboxEvent.FIELD, event.json()))
                .invoke(id -> relayed.increment())
                .replaceWithVoid();
    }
}
