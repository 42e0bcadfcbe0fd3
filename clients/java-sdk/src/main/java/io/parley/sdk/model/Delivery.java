package io.parley.sdk.model;

/**
 * One delivery of a notification to one user on one channel, as notify-service tracks it.
 *
 * @param id           the delivery's id (for {@code replay})
 * @param notification the notification's id
 * @param kind         {@code notification} (or {@code relay} for offline chat digests)
 * @param user         the recipient
 * @param channel      {@code inapp}, {@code email}, {@code webhook} or {@code wechat}
 * @param status       one of the constants below
 * @param attempts     attempts so far
 * @param lastError    why the last attempt failed, or {@code null}
 * @param updatedAt    epoch milliseconds of the last change, or {@code null}
 */
public record Delivery(String id, String notification, String kind, long user, String channel, String status,
                       int attempts, String lastError, Long updatedAt) {

    public static final String PENDING = "pending";
    public static final String SENDING = "sending";
    public static final String RETRYING = "retrying";
    public static final String DELIVERED = "delivered";
    /** every attempt failed: a dead letter, which {@code replay} sends again */
    public static final String DEAD = "dead";
    /** the user has no verified channel of that type */
    public static final String NO_CHANNEL = "no_channel";
    /** relay only: the user was online */
    public static final String SKIPPED_ONLINE = "skipped_online";
}
