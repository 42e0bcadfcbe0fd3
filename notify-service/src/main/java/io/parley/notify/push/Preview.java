package io.parley.notify.push;

import io.parley.common.error.ApiException;

/** How much of a message a device's lock screen shows: all of it, only who sent it, or nothing. */
public enum Preview {
    FULL("full"),
    SENDER("sender"),
    NONE("none");

    private final String wire;

    Preview(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Preview parse(String text) {
        for (Preview p : values()) {
            if (p.wire.equals(text)) {
                return p;
            }
        }
        throw ApiException.invalid("preview must be one of full, sender, none");
    }
}
