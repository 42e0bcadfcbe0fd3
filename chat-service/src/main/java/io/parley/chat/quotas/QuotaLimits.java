package io.parley.chat.quotas;

/** One app's quotas; 0 is unlimited. */
public record QuotaLimits(long connections, long subscribers, long publicationsPerSecond, long notificationsPerSecond) {

    public long of(Quota quota) {
        return switch (quota) {
            case CONNECTIONS -> connections;
            case SUBSCRIBERS -> subscribers;
            case PUBLICATIONS -> publicationsPerSecond;
            case NOTIFICATIONS -> notificationsPerSecond;
        };
    }

    QuotaLimits with(Quota quota, long value) {
        return new QuotaLimits(quota == Quota.CONNECTIONS ? value : connections,
                quota == Quota.SUBSCRIBERS ? value : subscribers,
                quota == Quota.PUBLICATIONS ? value : publicationsPerSecond,
                quota == Quota.NOTIFICATIONS ? value : notificationsPerSecond);
    }

    /** Whether neither counted quota (connections, subscribers) limits the app: subscribing needs no Redis check. */
    boolean countsUnlimited() {
        return connections == 0 && subscribers == 0;
    }
}
