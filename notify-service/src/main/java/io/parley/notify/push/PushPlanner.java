package io.parley.notify.push;

import io.parley.common.crypto.Secrets;
import io.parley.common.redis.OutboxEvent;
import io.parley.notify.config.NotifyConfig;
import io.parley.notify.sender.PushMessage;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a message to an offline user, or an app's notification, into the push one registered device receives:
 * nothing for a muted device; the text the device's {@link Preview} allows; collapsed per conversation (the
 * conversation id is the collapse id, so a burst is one notification, replaced, not stacked). A message's push
 * carries the user's unread total as its badge (APNs {@code aps.badge}, FCM {@code notification_count}, and
 * {@code data.badge} for FCM and Web Push) when chat-service counted it into the outbox event; app notifications
 * carry none (notify-service does not know the total).
 */
@ApplicationScoped
public class PushPlanner {

    private static final String APP_NAME = "Parley";

    private final NotifyConfig.Push config;

    public PushPlanner(NotifyConfig config) {
        this.config = config.push();
    }

    /** The key of one message's push to one device: a repeated outbox entry makes no second push. */
    public static String messageKey(PushDevice device, String messageId) {
        return Secrets.sha256Hex("push:" + device.id() + ":" + messageId);
    }

    /** The devices of {@code devices} that receive pushes now (not muted). */
    public static List<PushDevice> receiving(List<PushDevice> devices, Instant now) {
        return devices.stream().filter(d -> !d.mutedAt(now)).toList();
    }

    public PushMessage forMessage(OutboxEvent event, Preview preview) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("type", "message");
        data.put("conversation", event.conversation());
        data.put("seq", Long.toString(event.seq()));
        data.put("id", event.messageId());
        Integer badge = event.badge();
        if (badge != null) {
            data.put("badge", Integer.toString(badge));
        }
        return switch (preview) {
            case FULL -> {
                data.put("from", Long.toString(event.from()));
                yield new PushMessage(event.conversation(), "Message from " + event.from(), quote(event.body()), badge,
                        data, false);
            }
            case SENDER -> {
                data.put("from", Long.toString(event.from()));
                yield new PushMessage(event.conversation(), "Message from " + event.from(), "New message", badge, data,
                        false);
            }
            // nothing that tells who wrote or in which conversation (a count tells neither): the app syncs when opened
            case NONE -> new PushMessage("parley", APP_NAME, "New message", badge, badge == null
                    ? Map.of("type", "message") : Map.of("type", "message", "badge", Integer.toString(badge)), false);
        };
    }

    public PushMessage forNotification(String notificationId, String title, String body, Preview preview) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("type", "notification");
        data.put("notification", notificationId);
        return switch (preview) {
            case FULL -> new PushMessage(null, title, quote(body), null, data, false);
            case SENDER -> new PushMessage(null, title, "New notification", null, data, false);
            case NONE -> new PushMessage(null, APP_NAME, "New notification", null, data, false);
        };
    }

    /**
     * A silent (data-only) push of an app's notification: no text, no sound, no badge — APNs {@code background} with
     * {@code content-available}, FCM data only, Web Push without title and body. The app's {@code data} fields
     * travel as strings (FCM data values must be); Parley's {@code type} and {@code notification} win a clash.
     */
    public PushMessage silentNotification(String notificationId, Map<String, String> appData) {
        Map<String, String> data = new LinkedHashMap<>(appData);
        data.put("type", "notification");
        data.put("notification", notificationId);
        return new PushMessage(null, "", "", null, data, true);
    }

    private String quote(String body) {
        String text = body == null ? "" : body;
        return text.length() <= config.quoteChars() ? text : text.substring(0, config.quoteChars()) + "…";
    }
}
