package io.parley.sdk.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The channels notify-service delivers a notification on. */
public enum Channel {
    /** the user's in-app inbox, pushed on {@code /ws/notify} */
    INAPP,
    EMAIL,
    /** a signed webhook the user bound */
    WEBHOOK,
    /** a third-party (WeChat-style) template message */
    WECHAT;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
