package io.parley.sdk;

import io.parley.sdk.model.InAppNotification;
import io.parley.sdk.model.InAppReceipt;
import java.util.Objects;
import java.util.UUID;

/**
 * In-app notifications straight to chat-service ({@code POST {chat}/api/v1/apps/{appId}/notifications}): kept in each
 * user's inbox (the newest 1,000) and pushed live on {@code /ws/notify}. For delivery on other channels, or a
 * delivery status to read later, use {@link Notifications} (notify-service) with {@code Channel.INAPP}.
 *
 * <p>The notification's {@code id} is chat-service's idempotency key (per app and user, 24 h): a post without one gets
 * a random id here, before the first attempt, so a post whose outcome is unknown (a timeout, a 503) is sent again
 * with the same id and reaches each user once.
 */
public final class InAppNotifications {

    private final AppApi api;
    private final Endpoint chat;
    private final String appPath;

    InAppNotifications(AppApi api, Endpoint chat, String appPath) {
        this.api = api;
        this.chat = chat;
        this.appPath = appPath;
    }

    public InAppReceipt send(InAppNotification notification) {
        Objects.requireNonNull(notification, "notification");
        InAppNotification keyed = notification.id() == null ? notification.withId(UUID.randomUUID().toString()) : notification;
        return api.send("POST", chat.resolve(appPath + "/notifications"), keyed, true, InAppReceipt.class);
    }
}
