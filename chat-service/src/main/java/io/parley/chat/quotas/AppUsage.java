package io.parley.chat.quotas;

/**
 * What an app uses across every node, the quotas in force, and what was refused: the answer of
 * {@code GET /api/v1/apps/{appId}/usage}. The rates are the last whole second's.
 */
public record AppUsage(String appId, long connections, long subscribers, long publicationsPerSecond,
                       long notificationsPerSecond, QuotaLimits limits, Refusals refusals) {

    /** Refusals by quota since the app's first (kept in Redis, across every node). */
    public record Refusals(long connections, long subscribers, long publications, long notifications) {
    }
}
