package io.parley.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster of three primaries on loopback, from Debian's {@code redis-server} (started with
 * {@code --cluster-enabled yes}) joined by {@code redis-cli --cluster create}; no replicas (tests need the slot
 * routing, not fail-over). Services use it with {@code QUARKUS_REDIS_CLIENT_TYPE=cluster} and {@link #hosts()}.
 */
public final class RedisCluster implements AutoCloseable {

    private static RedisCluster shared;

    private final List<Integer> ports;
    private final List<ManagedProcess> processes;

    private RedisCluster(List<Integer> ports, List<ManagedProcess> processes) {
        this.ports = ports;
        this.processes = processes;
    }

    /** One cluster per test JVM, started on first use and stopped when the JVM exits. */
    public static synchronized RedisCluster shared() {
        if (shared == null || shared.processes.stream().anyMatch(p -> !p.isAlive())) {
            shared = start(3);
        }
        return shared;
    }

    public static RedisCluster start(int primaries) {
        Path server = Packages.require("redis-server", "redis-server");
        Path cli = Packages.require("redis-cli", "redis-tools");
        List<Integer> ports = new ArrayList<>();
        List<ManagedProcess> processes = new ArrayList<>();
        try {
            for (int i = 0; i < primaries; i++) {
                Path dir = Files.createTempDirectory("parley-redis-cluster-");
                int port = FreePort.find();
                ports.add(port);
                processes.add(ManagedProcess.start("redis-cluster:" + port, List.of(server.toString(),
                                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                                "--save", "", "--appendonly", "no", "--daemonize", "no", "--stream-node-max-bytes", "512",
                                "--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes.conf").toString(),
                                "--cluster-node-timeout", "5000"),
                        Map.of(), dir.resolve("redis.log")));
            }
            RedisCluster cluster = new RedisCluster(ports, processes);
            for (int i = 0; i < primaries; i++) {
                int port = ports.get(i);
                processes.get(i).awaitReady(Duration.ofSeconds(30), () -> cluster.ping(port));
            }
            List<String> create = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
            ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Path log = Files.createTempFile("parley-redis-cluster-create", ".log");
            Process joining = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!joining.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || joining.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(log));
            }
            for (int i = 0; i < primaries; i++) {
                int port = ports.get(i);
                processes.get(i).awaitReady(Duration.ofSeconds(30), () -> cluster.clusterOk(port));
            }
            return cluster;
        } catch (IOException e) {
            processes.forEach(ManagedProcess::close);
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            processes.forEach(ManagedProcess::close);
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            processes.forEach(ManagedProcess::close);
            throw e;
        }
    }

    /** {@code redis://127.0.0.1:p1,redis://127.0.0.1:p2,...}: the value of {@code QUARKUS_REDIS_HOSTS}. */
    public String hosts() {
        return ports.stream().map(p -> "redis://127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** An inline command on one primary (first line of the reply, or a bulk value). */
    public String command(int port, String inline) {
        return RedisServer.call(port, inline, false);
    }

    /** {@code INFO <section>} of one primary, whole. */
    public String info(int port, String section) {
        return RedisServer.call(port, "INFO " + section, true);
    }

    private boolean ping(int port) {
        try {
            return "+PONG".equals(command(port, "PING"));
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private boolean clusterOk(int port) {
        try {
            String info = RedisServer.call(port, "CLUSTER INFO", true);
            return info != null && info.contains("cluster_state:ok");
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        processes.forEach(ManagedProcess::close);
    }
}
