package io.parley.common.redis;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script from {@code src/main/resources/redis/<component>_<operation>.lua}, read once. It runs by SHA-1
 * ({@code EVALSHA}, so the body crosses the network once per Redis server); when Redis does not know the script
 * (first use, or after a restart or {@code SCRIPT FLUSH}) it falls back to {@code EVAL}, which also caches it.
 * Scripts are shared by every service, so this class lives in common; each service keeps its own
 * scripts in its resources.
 */
public final class RedisScript {

    private final String name;
    private final String body;
    private final String sha1;

    private RedisScript(String name, String body) {
        this.name = name;
        this.body = body;
        this.sha1 = sha1(body);
    }

    public static RedisScript load(String name) {
        String resource = "redis/" + name + ".lua";
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + resource);
            }
            return new RedisScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** Runs the script, blocking (worker threads only); the reply is {@code null} when the script returned nil. */
    public Response run(RedisDataSource redis, List<String> keys, String... args) {
        List<String> tail = arguments(keys, List.of(args));
        try {
            return redis.execute("EVALSHA", prepend(sha1, tail));
        } catch (RuntimeException e) {
            if (!isNoScript(e)) {
                throw e;
            }
            return redis.execute("EVAL", prepend(body, tail));
        }
    }

    /** Runs the script without blocking: safe on the event loop. */
    public Uni<Response> run(ReactiveRedisDataSource redis, List<String> keys, List<String> args) {
        List<String> tail = arguments(keys, args);
        return redis.execute("EVALSHA", prepend(sha1, tail))
                .onFailure(RedisScript::isNoScript)
                .recoverWithUni(() -> redis.execute("EVAL", prepend(body, tail)));
    }

    public String name() {
        return name;
    }

    /** The script's SHA-1, for {@code EVALSHA}. */
    public String sha1() {
        return sha1;
    }

    /** The script's text, for {@code EVAL} when Redis does not know the SHA-1. */
    public String body() {
        return body;
    }

    /** Whether a failure is Redis saying it does not know the script ({@code NOSCRIPT}): run it with {@code EVAL}. */
    public static boolean isNoScript(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

    private static List<String> arguments(List<String> keys, List<String> args) {
        List<String> tail = new ArrayList<>(keys.size() + args.size() + 1);
        tail.add(Integer.toString(keys.size()));
        tail.addAll(keys);
        tail.addAll(args);
        return tail;
    }

    private static String[] prepend(String first, List<String> rest) {
        String[] out = new String[rest.size() + 1];
        out[0] = first;
        for (int i = 0; i < rest.size(); i++) {
            out[i + 1] = rest.get(i);
        }
        return out;
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
