package io.parley.notify.push;

import io.parley.common.error.ApiException;

/** The push services a device registers with; the name is what the API and the database say. */
public enum PushProvider {
    FCM("fcm"),
    APNS("apns"),
    WEBPUSH("webpush");

    private final String wire;

    PushProvider(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The provider named {@code text}, or 400 {@code INVALID_INPUT}. */
    public static PushProvider parse(String text) {
        for (PushProvider p : values()) {
            if (p.wire.equals(text)) {
                return p;
            }
        }
        throw ApiException.invalid("provider must be one of fcm, apns, webpush");
    }
}
