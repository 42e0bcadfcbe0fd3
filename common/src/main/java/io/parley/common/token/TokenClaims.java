package io.parley.common.token;

/**
 * What an access token says about its bearer. A user token carries the user, device and session;
 * an app token (server-to-server) carries the tenant app instead of a user.
 *
 * @param subject   {@code sub}: the user id as decimal text, or {@code app:<appId>} for an app token
 * @param userId    the user id, or 0 for an app token
 * @param appId     the tenant app id for an app token, otherwise {@code null}
 * @param deviceId  {@code did}: the device the session was opened on ({@code null} for app tokens)
 * @param sessionId {@code sid}: the session; revoking it refuses every token issued for it
 * @param issuedAt  {@code iat}, epoch seconds
 * @param expiresAt {@code exp}, epoch seconds
 */
public record TokenClaims(String subject, long userId, String appId, String deviceId, String sessionId,
                          long issuedAt, long expiresAt) {

    public static final String APP_SUBJECT_PREFIX = "app:";

    public static TokenClaims forUser(long userId, String deviceId, String sessionId, long issuedAt, long expiresAt) {
        return new TokenClaims(Long.toString(userId), userId, null, deviceId, sessionId, issuedAt, expiresAt);
    }

    public static TokenClaims forApp(String appId, String sessionId, long issuedAt, long expiresAt) {
        return new TokenClaims(APP_SUBJECT_PREFIX + appId, 0, appId, null, sessionId, issuedAt, expiresAt);
    }

    public boolean isApp() {
        return appId != null;
    }
}
