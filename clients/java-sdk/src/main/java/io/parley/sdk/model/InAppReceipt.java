package io.parley.sdk.model;

import java.util.List;

/** chat-service took the in-app notification: {@code id} as users see it, in the inboxes of {@code accepted}. */
public record InAppReceipt(String id, List<Long> accepted) {
}
