package io.parley.sdk.model;

import java.util.List;

/**
 * A notification for notify-service ({@code POST /api/v1/notifications}), delivered to each user on each channel
 * the user has verified.
 *
 * @param users    1–1,000 user ids
 * @param title    1–200 characters
 * @param body     up to 4,000 characters
 * @param data     anything Jackson writes as JSON, or {@code null}
 * @param channels where to deliver
 */
public record Notification(List<Long> users, String title, String body, Object data, List<Channel> channels) {

    public Notification {
        users = List.copyOf(users);
        channels = List.copyOf(channels);
    }

    public static Notification of(List<Long> users, String title, String body, Channel... channels) {
        return new Notification(users, title, body, null, List.of(channels));
    }

    public Notification withData(Object newData) {
        return new Notification(users, title, body, newData, channels);
    }
}
