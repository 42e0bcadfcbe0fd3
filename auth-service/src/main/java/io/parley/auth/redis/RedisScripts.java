package io.parley.auth.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Loads the Lua scripts under {@code src/main/resources/redis/} once, by name. */
public final class RedisScripts {

    public static final String SESSION_REFRESH = load("session_refresh");
    public static final String RATELIMIT_HIT = load("ratelimit_hit");

    private RedisScripts() {
    }

    private static String load(String name) {
        String path = "redis/" + name + ".lua";
        try (InputStream in = RedisScripts.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
