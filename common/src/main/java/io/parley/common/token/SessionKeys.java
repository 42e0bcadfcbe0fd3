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
}
