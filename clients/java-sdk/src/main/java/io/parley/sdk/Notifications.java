package io.parley.sdk;

import io.parley.sdk.model.Notification;
import io.parley.sdk.model.NotificationStatus;
import java.util.Objects;

/**
 * notify-service notifications ({@code {notify}/api/v1/notifications}): one delivery per user and channel, retried by
 * notify-service with back-off and kept as a dead letter when every attempt failed ({@link Deliveries}).
 *
 * <p>Creating one is not de-duplicated by the server (it has no caller-chosen id), so it is sent again only when the
 * server certainly did not take it (429, or no connection). Reading a status is retried like every read.
 */
public final class Notifications {

    private record Created(String id) {
    }

    private final AppApi api;
    private final Endpoint notify;

    Notifications(AppApi api, Endpoint notify) {
        this.api = api;
        this.notify = notify;
    }

    /** Hands the notification to notify-service; returns its id, for {@link #status(String)}. */
    public String send(Notification notification) {
        Objects.requireNonNull(notification, "notification");
        return api.send("POST", notify.resolve("/api/v1/notifications"), notification, false, Created.class).id();
    }

    /** The notification and each of its deliveries; {@code NotFoundException} for an unknown or another app's. */
    public NotificationStatus status(String id) {
        return api.send("GET", notify.resolve("/api/v1/notifications/" + Endpoint.segment(id)), null, true,
                NotificationStatus.class);
    }
}
