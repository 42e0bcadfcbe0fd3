package io.parley.common.token;

/**
 * Redis keys of live sessions, shared by auth-service (which writes them) and every verifier (which reads
 * them). A session is live while its key exists: logout, refresh-token reuse and expiry all delete it.
 * The {@code {sid}} hash tag keeps a session's keys on one Redis Cluster shard.
 */
public final class SessionKeys {

    private SessionKeys() {
    }

    /** Hash with the session's user, device, current refresh-token hash and creation time. */
    public static String session(String sessionId) {
        return "auth:session:{" + sessionId + "}";
    }

    /**
     * The pub/sub channel on which auth-service announces every session it ends (logout, refresh-token reuse, …)
     * in the same atomic step as the delete, so services holding long-lived connections of that session close them
     * at once instead of waiting for a next request. Pub/sub is at most once: a subscriber that was disconnected
     * re-checks the sessions it holds ({@link #session}) when it is back.
     */
    public static final String ENDED_CHANNEL = "auth:sessions:ended";

    /** The message on {@link #ENDED_CHANNEL}: {@code <userId>:<sessionId>} (session ids have no colon). */
    public static String endedMessage(long userId, String sessionId) {
        return userId + ":" + sessionId;
    }

    /** The user of an {@link #endedMessage}, or -1 if it is not one. */
    public static long endedUser(String message) {
        int colon = message == null ? -1 : message.indexOf(':');
        try {
            return colon > 0 ? Long.parseLong(message.substring(0, colon)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The session of an {@link #endedMessage}, or null if it is not one. */
    public static String endedSession(String message) {
        int colon = message == null ? -1 : message.indexOf(':');
        return colon > 0 && colon < message.length() - 1 ? message.substring(colon + 1) : null;
    }
}
