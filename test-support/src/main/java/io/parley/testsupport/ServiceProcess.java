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

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final int port;
    private final ManagedProcess process;

    private ServiceProcess(int port, ManagedProcess process) {
        this.port = port;
        this.process = process;
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
        Path log = Path.of("target", "service-logs", name + "-" + port + ".log");
        ManagedProcess process = ManagedProcess.start(name, command, environment, log);
        ServiceProcess service = new ServiceProcess(port, process);
        process.awaitReady(Duration.ofSeconds(90), service::isReady);
        return service;
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
