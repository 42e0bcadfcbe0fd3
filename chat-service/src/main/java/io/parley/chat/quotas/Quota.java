package io.parley.chat.quotas;

/** The per-app quotas; {@link #label} names each in metrics, in Redis, in the usage answer and in overrides. */
public enum Quota {
    CONNECTIONS("connections", "connections"),
    SUBSCRIBERS("subscribers", "subscribers"),
    PUBLICATIONS("publications", "publications-per-second"),
    NOTIFICATIONS("notifications", "notifications-per-second");

    private final String label;
    private final String setting;

    Quota(String label, String setting) {
        this.label = label;
        this.setting = setting;
    }

    public String label() {
        return label;
    }

    /** Its name in {@code parley.chat.quotas.overrides}. */
    public String setting() {
        return setting;
    }
}
