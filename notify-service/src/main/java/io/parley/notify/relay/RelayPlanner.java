package io.parley.notify.relay;

import io.parley.common.crypto.Secrets;
import io.parley.notify.channel.Channel;
import io.parley.notify.config.NotifyConfig;
import io.parley.notify.delivery.Delivery;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides what one closed digest window becomes: nothing sent if the user is online ({@code skipped_online}) or
 * has no verified channel to relay to ({@code no_channel}); otherwise one pending delivery per channel carrying
 * the digest (count + the newest few messages). Keys are derived from the user and the digest's first message id,
 * so the same window planned twice (a crash before commit, a second instance) yields the same keys.
 */
@ApplicationScoped
public class RelayPlanner {

    private final NotifyConfig.Relay config;

    public RelayPlanner(NotifyConfig config) {
        this.config = config.relay();
    }

    public static String digestKey(long user, String firstMessageId) {
        return Secrets.sha256Hex("digest:" + user + ":" + firstMessageId);
    }

    public List<Delivery.New> plan(long user, List<RelayStore.StoredEvent> events, boolean online, List<Channel> channels) {
        String digestKey = digestKey(user, events.get(0).messageId());
        if (online) {
            return List.of(skip(user, digestKey, Delivery.SKIPPED_ONLINE, events.size()));
        }
        if (channels.isEmpty()) {
            return List.of(skip(user, digestKey, Delivery.NO_CHANNEL, events.size()));
        }
        String payload = digest(user, digestKey, events);
        List<Delivery.New> rows = new ArrayList<>();
        for (Channel channel : channels) {
            rows.add(new Delivery.New(Secrets.sha256Hex(digestKey + ":" + channel.id()), Delivery.RELAY, null, null, user,
                    channel.type().wire(), channel.id(), Delivery.PENDING, payload));
        }
        return rows;
    }

    private Delivery.New skip(long user, String digestKey, String status, int count) {
        String payload = new JsonObject().put("type", "messages").put("user", user).put("count", count).encode();
        return new Delivery.New(Secrets.sha256Hex(digestKey + ":" + Delivery.NONE), Delivery.RELAY, null, null, user,
                Delivery.NONE, null, status, payload);
    }

    /** {@code {"type":"messages","user","digest","count","messages":[newest first]}}. */
    String digest(long user, String digestKey, List<RelayStore.StoredEvent> events) {
        JsonArray newest = new JsonArray();
        for (int i = events.size() - 1; i >= 0 && newest.size() < config.digestMessages(); i--) {
            JsonObject e = new JsonObject(events.get(i).json());
            String body = e.getValue("body") instanceof String s ? s : "";
            if (body.length() > config.quoteChars()) {
                body = body.substring(0, config.quoteChars()) + "…";
            }
            newest.add(new JsonObject().put("id", e.getValue("id")).put("conversation", e.getValue("conversation"))
                    .put("seq", e.getValue("seq")).put("from", e.getValue("from")).put("body", body)
                    .put("kind", e.getValue("kind", "text")).put("ts", e.getValue("ts")));
        }
        return new JsonObject().put("type", "messages").put("user", user).put("digest", digestKey)
                .put("count", events.size()).put("messages", newest).encode();
    }
}
