package io.parley.sdk.model;

import java.util.List;

/**
 * An in-app notification for chat-service's inbox ({@code POST /api/v1/apps/{appId}/notifications}).
 *
 * @param id    the notification's id as users see it (1–64 characters), or {@code null} for a random one the SDK
 *              picks. It is the idempotency key: the same id from the same app reaches a user once within 24 h
 * @param users 1–1,000 user ids
 * @param title 1–200 characters
 * @param body  up to 4,000 characters
 * @param data  anything Jackson writes as JSON, handed to the client as is; or {@code null}
 */
public record InAppNotification(String id, List<Long> users, String title, String body, Object data) {

    public InAppNotification {
        users = List.copyOf(users);
    }

    public static InAppNotification of(List<Long> users, String title, String body) {
        return new InAppNotification(null, users, title, body, null);
    }

    public InAppNotification withId(String newId) {
        return new InAppNotification(newId, users, title, body, data);
    }

    public InAppNotification withData(Object newData) {
        return new InAppNotification(id, users, title, body, newData);
    }
}
