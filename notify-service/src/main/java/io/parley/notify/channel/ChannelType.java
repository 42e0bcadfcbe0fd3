package io.parley.notify.channel;

import io.parley.common.error.ApiException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The kinds of channel a user can bind; the name is what the API and the database say. */
public enum ChannelType {
    EMAIL("email"),
    WEBHOOK("webhook"),
    WECHAT("wechat");

    private final String wire;

    ChannelType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The type named {@code text}, or 400 {@code INVALID_INPUT}. */
    public static ChannelType parse(String text) {
        for (ChannelType type : values()) {
            if (type.wire.equals(text)) {
                return type;
            }
        }
        throw ApiException.invalid("unknown channel type: " + abbreviate(text) + " (one of "
                + Arrays.stream(values()).map(ChannelType::wire).collect(Collectors.joining(", ")) + ")");
    }

    static String abbreviate(String text) {
        return text == null ? "null" : text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
