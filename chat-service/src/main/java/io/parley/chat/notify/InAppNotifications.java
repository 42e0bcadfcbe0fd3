package io.parley.chat.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.ServerFrames;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.fanout.Publisher;
import io.parley.common.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.redis.datasource.stream.XAddArgs;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * In-app notifications: each is appended to every recipient's inbox (a capped Redis stream, so a user who is not
 * connected gets it on the next {@code /ws/notify} connection) and pushed live to the user's notify channel. The
 * inbox entry id is the notification's {@code seq}; a client acknowledges it and is not sent it again.
 */
@ApplicationScoped
public class InAppNotifications {

    private static final RedisScript NOTIFY_ACK = RedisScript.load("notify_ack");
    private static final RedisScript NOTIFY_POST = RedisScript.load("notify_post");
    private static final int PENDING_PAGE = 200;

    /** One notification as posted. */
    public record Notification(String id, String title, String body, String dataJson) {
    }

    private final ReactiveRedisDataSource redis;
    private final ServerFrames frames;
    private final int inboxSize;
    private final long dedupeWindowMillis;
    private final MeterRegistry metrics;
    private final Publisher publisher;

    public InAppNotifications(ReactiveRedisDataSource redis, ServerFrames frames, ChatConfig config, MeterRegistry metrics,
                              Publisher publisher) {
        this.redis = redis;
        this.publisher = publisher;
        this.frames = frames;
        this.inboxSize = config.notifications().inboxSize();
        this.dedupeWindowMillis = config.notifications().dedupeWindow().toMillis();
        this.metrics = metrics;
    }

    /**
     * Stores and pushes the notification to each user; completes once every inbox holds it. With an id the caller
     * chose ({@code repeatable}), a user whose inbox got that id from this app within the dedupe window is skipped:
     * a retried post is stored and pushed once.
     */
    public Uni<Void> post(String appId, Notification n, List<Long> users, boolean repeatable) {
        String ts = Long.toString(System.currentTimeMillis());
        List<Uni<Void>> each = new ArrayList<>(users.size());
        for (long user : users) {
            Uni<String> appended = repeatable ? appendOnce(appId, n, user, ts) : append(n, user, ts);
            each.add(appended.flatMap(seq -> seq == null ? Uni.createFrom().voidItem()
                    : publisher.publish(RedisKeys.notifyChannel(user),
                            frames.notification(n.id(), seq, n.title(), n.body(), n.dataJson(), Long.parseLong(ts)))));
        }
        Counter.builder("parley.chat.notifications.posted").tag("app", appId)
                .description("in-app notifications posted, one per recipient, by app").register(metrics)
                .increment(users.size());
        return each.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(each).andFailFast().replaceWithVoid();
    }

    /** Appends; the inbox entry id. */
    private Uni<String> append(Notification n, long user, String ts) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", n.id());
        fields.put("title", n.title());
        fields.put("body", n.body());
        fields.put("data", n.dataJson() == null ? "" : n.dataJson());
        fields.put("ts", ts);
        return redis.stream(String.class)
                .xadd(RedisKeys.notifyInbox(user), new XAddArgs().maxlen((long) inboxSize).nearlyExactTrimming(), fields);
    }

    /** Appends unless this app's id is already in the user's inbox; the new entry id, or null for a repeat. */
    private Uni<String> appendOnce(String appId, Notification n, long user, String ts) {
        return NOTIFY_POST.run(redis, List.of(RedisKeys.notifyInbox(user), RedisKeys.notifyPosted(user, appId, n.id())),
                        List.of(Integer.toString(inboxSize), Long.toString(dedupeWindowMillis), n.id(), n.title(), n.body(),
                                n.dataJson() == null ? "" : n.dataJson(), ts))
                .map(reply -> reply.get(1).toInteger() == 1 ? reply.get(0).toString() : null);
    }

    /** The user's notifications after the acknowledged one, oldest first, as frames. */
    public Uni<List<String>> pending(long user) {
        return redis.value(String.class).get(RedisKeys.notifyAcked(user)).flatMap(acked -> {
            StreamRange range = acked == null ? StreamRange.of("-", "+") : StreamRange.of("(" + acked, "+");
            return redis.stream(String.class).xrange(RedisKeys.notifyInbox(user), range, PENDING_PAGE);
        }).map(entries -> {
            List<String> out = new ArrayList<>(entries.size());
            for (StreamMessage<String, String, String> e : entries) {
                Map<String, String> f = e.payload();
                out.add(frames.notification(f.get("id"), e.id(), f.get("title"), f.get("body"), f.get("data"),
                        Long.parseLong(f.getOrDefault("ts", "0"))));
            }
            return out;
        });
    }

    /** Everything up to {@code seq} reached the user. */
    public Uni<Void> acknowledge(long user, String seq) {
        return NOTIFY_ACK.run(redis, List.of(RedisKeys.notifyAcked(user)), List.of(seq)).replaceWithVoid();
    }
}
