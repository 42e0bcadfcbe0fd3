package io.parley.testsupport;

import io.parley.common.redis.RespConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real {@code redis-server} on loopback, on a free port, with a throw-away directory and no persistence. */
public final class RedisServer implements AutoCloseable {

    /**
     * A script that busy-waits in Redis for ARGV[1] microseconds ({@code EVAL BUSY_SCRIPT 0 <µs>}): Redis answers
     * nobody meanwhile — a slow Redis, for tests of timeouts and overload.
     */
    public static final String BUSY_SCRIPT = "local t = redis.call('TIME') local from = t[1] * 1000000 + t[2] "
            + "repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - from >= tonumber(ARGV[1]) return 1";


    private static RedisServer shared;

    private final int port;
    private final Path dir;
    private final List<String> args;
    private ManagedProcess process;

    private RedisServer(int port, Path dir, List<String> args, ManagedProcess process) {
        this.port = port;
        this.dir = dir;
        this.args = args;
        this.process = process;
    }

    /** One server per test JVM, started on first use and stopped when the JVM exits. */
    public static synchronized RedisServer shared() {
        if (shared == null || !shared.process.isAlive()) {
            shared = start();
        }
        return shared;
    }

    public static RedisServer start() {
        return start(List.of());
    }

    /** A replica of the server on {@code primaryPort} (for durability tests: {@code WAIT} counts it). */
    public static RedisServer startReplicaOf(int primaryPort) {
        return start(List.of("--replicaof", "127.0.0.1", Integer.toString(primaryPort)));
    }

    /**
     * A server that keeps its data in an append-only file ({@code appendfsync} {@code always}: durability
     * {@code aof}; {@code everysec}: {@code memory}), so {@link #crash()} and {@link #restart} model a Redis
     * restart that loads what reached the file.
     */
    public static RedisServer startWithAof(String appendfsync) {
        return start(List.of("--appendonly", "yes", "--appendfsync", appendfsync));
    }

    private static RedisServer start(List<String> extraArgs) {
        try {
            Path dir = Files.createTempDirectory("parley-redis-");
            List<String> args = new ArrayList<>(List.of("--save", "", "--appendonly", "no",
                    "--stream-node-max-bytes", "512")); // as production runs it (see scripts/lib.sh)
            args.addAll(extraArgs); // a later --appendonly wins
            RedisServer server = new RedisServer(FreePort.find(), dir, args, null);
            server.launch(args);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch(List<String> args) {
        Path binary = Packages.require("redis-server", "redis-server");
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no"));
        command.addAll(args);
        String log = process == null ? "redis.log" : "redis-" + System.nanoTime() + ".log"; // one log per start
        process = ManagedProcess.start("redis:" + port, command, Map.of(), dir.resolve(log));
        process.awaitReady(Duration.ofSeconds(30), this::ping);
    }

    /** SIGKILL: Redis dies without a shutdown save or a last AOF flush. */
    public void crash() {
        process.crash();
    }

    /** Starts the server again on the same port and directory (it loads its AOF), with {@code overrides} added. */
    public void restart(String... overrides) {
        if (process.isAlive()) {
            throw new IllegalStateException("redis on " + port + " is still running");
        }
        List<String> args = new ArrayList<>(this.args);
        args.addAll(List.of(overrides));
        launch(args);
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /**
     * Sends an inline command and returns the first reply line, e.g. {@code +OK} or {@code :1}; for a bulk
     * string ({@code $n}) the line after it, i.e. the value ({@code null} for a nil reply).
     */
    public String command(String inline) {
        return call(port, inline, false);
    }

    /** {@code INFO <section>}: the whole reply (e.g. {@code commandstats} for per-command call counts). */
    public String info(String section) {
        return call(port, "INFO " + section, true);
    }

    /**
     * One inline command on a fresh connection to {@code port}. A bulk reply is returned whole when {@code whole},
     * else only its first line.
     */
    static String call(int port, String inline, boolean whole) {
        try (RespConnection redis = RespConnection.open("127.0.0.1", port, Duration.ofSeconds(5))) {
            redis.sendInline(inline).flush();
            String first = redis.readLine();
            if (first.startsWith("$")) {
                if (first.equals("$-1")) {
                    return null;
                }
                return whole ? redis.readBytes(Integer.parseInt(first.substring(1))) : redis.readLine();
            }
            return first;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One command as a RESP array (arguments may hold any text, e.g. JSON) on a fresh connection: the reply's first
     * line; for a bulk string the line after it (its value); for a non-empty array the first line and the first
     * element's line, e.g. {@code *4 :7} for an {@code XPENDING} summary of 7 entries.
     */
    public String commandArgs(String... args) {
        try (RespConnection redis = RespConnection.open("127.0.0.1", port, Duration.ofSeconds(5))) {
            redis.send(args).flush();
            String first = redis.readLine();
            if (first.startsWith("$") && !first.equals("$-1")) {
                return redis.readLine();
            }
            if (first.startsWith("*") && !first.equals("*0") && !first.equals("*-1")) {
                return first + " " + redis.readLine();
            }
            return first;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void flushAll() {
        command("FLUSHALL");
    }

    private boolean ping() {
        try {
            return "+PONG".equals(command("PING"));
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
