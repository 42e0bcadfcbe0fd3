package io.parley.notify.delivery;

import java.time.Instant;

/**
 * One row of the delivery log: one user x one channel x one notification or relay digest.
 *
 * @param idemKey  the idempotency key (unique; sent as {@code X-Parley-Delivery})
 * @param kind     {@link #RELAY} or {@link #NOTIFICATION}
 * @param payload  the exact JSON body a webhook receives; email and template messages are rendered from it
 */
public record Delivery(long id, String idemKey, String kind, String notificationId, String appId, long userId,
                       String channelType, String channelId, String status, int attempts, String lastError,
                       String payload, Instant updatedAt) {

    public static final String RELAY = "relay";
    public static final String NOTIFICATION = "notification";

    /** Channel type of in-app deliveries (chat-service's {@code /ws/notify}). */
    public static final String INAPP = "inapp";
    /** Channel type of pushes to a registered device (FCM, APNs, Web Push); the channel id is the device's id. */
    public static final String PUSH = "push";
    /** Channel type of a relay decision that sent nothing (skipped: online, or no channel). */
    public static final String NONE = "none";

    public static final String PENDING = "pending";
    public static final String SENDING = "sending";
    public static final String RETRYING = "retrying";
    public static final String DELIVERED = "delivered";
    public static final String DEAD = "dead";
    public static final String NO_CHANNEL = "no_channel";
    public static final String SKIPPED_ONLINE = "skipped_online";

    /** A row to insert: status pending (due now) or a final status such as {@code no_channel}. */
    public record New(String idemKey, String kind, String notificationId, String appId, long userId,
                      String channelType, String channelId, String status, String payload) {
    }
}
