package io.parley.notify.push;

import java.time.Instant;

/**
 * A device registered for push: one per (user, device id of the token). {@code sessionId} is the session whose token
 * registered it (null for rows older than that column): the registration ends with that session. {@code token} is the FCM registration
 * token, the APNs device token (hex) or the Web Push endpoint URL; {@code p256dh} and {@code auth} are the Web Push
 * subscription's keys. A device muted until a later time gets nothing until then.
 */
public record PushDevice(String id, long userId, String deviceId, String sessionId, PushProvider provider, String token, String p256dh,
                         String auth, Instant mutedUntil, Preview preview, Instant createdAt) {

    public boolean mutedAt(Instant now) {
        return mutedUntil != null && mutedUntil.isAfter(now);
    }

    /** The token as lists show it: the Web Push service's origin, or the last 6 characters. */
    public String redactedToken() {
        if (provider == PushProvider.WEBPUSH) {
            int slash = token.indexOf('/', token.indexOf("//") + 2);
            return (slash < 0 ? token : token.substring(0, slash)) + "/…";
        }
        return "…" + token.substring(Math.max(0, token.length() - 6));
    }
}
