package io.parley.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Parley service started from its packaged jar ({@code target/quarkus-app/quarkus-run.jar}) as a separate
 * process, for tests that need several instances at once (two id-service replicas, two chat nodes) or need
 * to kill one. Ready when {@code /q/health/ready} answers 200.
 */
public final class ServiceProcess implements AutoCloseable {

    /** How long a start may take to be ready: long, because a 2-core machine shared by several builds is slow. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final int port;
    private final List<String> command;
    private final Map<String, String> environment;
    private ManagedProcess process;

    private ServiceProcess(String name, int port, List<String> command, Map<String, String> environment) {
        this.name = name;
        this.port = port;
        this.command = command;
        this.environment = environment;
    }

    /**
     * Starts the jar of the module the tests run in, on a free port, with {@code env} added to the environment
     * (configuration by environment variables, as in production).
     */
    public static ServiceProcess start(String name, Map<String, String> env) {
        return start(name, Path.of("target", "quarkus-app", "quarkus-run.jar"), env);
    }

    public static ServiceProcess start(String name, Path jar, Map<String, String> env) {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the package phase first");
        }
        int port = FreePort.find();
        Map<String, String> environment = new HashMap<>(env);
        environment.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar.toAbsolutePath().toString()));
        ServiceProcess service = new ServiceProcess(name, port, command, environment);
        service.launch(Path.of("target", "service-logs", name + "-" + port + ".log"));
        return service;
    }

    private void launch(Path log) {
        process = ManagedProcess.start(name, command, environment, log);
        process.awaitReady(READY_TIMEOUT, this::isReady);
    }

    /**
     * Starts the stopped (or crashed) service again: same jar, environment and port — a fresh process, as a
     * restarted pod on the same address. Waits until it is ready.
     */
    public void startAgain() {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " on " + port + " is still running");
        }
        launch(Path.of("target", "service-logs", name + "-" + port + "-" + System.currentTimeMillis() + ".log"));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return process.log();
    }

    public boolean isReady() {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL: the process dies without any shutdown work, as in a crash. */
    public void crash() {
        process.crash();
    }

    /** SIGTERM and wait for a graceful exit (SIGKILL after 20 s). */
    @Override
    public void close() {
        process.close();
    }
}
