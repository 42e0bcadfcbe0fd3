package io.parley.sdk;

import io.parley.sdk.model.InAppNotification;
import io.parley.sdk.model.InAppReceipt;
import java.util.Objects;

/**
 * In-app notifications straight to chat-service ({@code POST {chat}/api/v1/apps/{appId}/notifications}): kept in each
 * user's inbox (the newest 1,000) and pushed live on {@code /ws/notify}. For delivery on other channels, or a
 * delivery status to read later, use {@link Notifications} (notify-service) with {@code Channel.INAPP}.
 *
 * <p>chat-service does not de-duplicate by the notification's {@code id}, so a post is sent again only when the
 * server certainly did not take it (429, or no connection), never after a timeout or a 503.
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
        return api.send("POST", chat.resolve(appPath + "/notifications"), notification, false, InAppReceipt.class);
    }
}
