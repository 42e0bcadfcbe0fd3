package io.parley.common.security;

/** Roles a Parley token grants. */
public final class Roles {
    /** A person signed in on a device. */
    public static final String USER = "user";
    /** A tenant app's backend, calling server-to-server with an app token. */
    public static final String APP = "app";

    private Roles() {
    }
}
