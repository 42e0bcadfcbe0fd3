package io.parley.browsertest;

import io.parley.testsupport.Packages;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs node or npm as a child process with its output streamed, line by line, into this JVM's stdout (which
 * failsafe prints into the Maven log), and answers its exit code. Node.js and npm are installed from Debian's
 * packages when missing, as the test servers are.
 */
final class NodeRun {

    /** playwright-core 1.61 (the last to run on Debian 12's own Node.js 18) and node --test's spec reporter need 18. */
    private static final int MIN_NODE_MAJOR = 18;

    private NodeRun() {
    }

    /** The node binary, checked to be new enough. */
    static Path node() {
        Path node = Packages.require("node", "nodejs");
        String version = output(List.of(node.toString(), "--version")).trim(); // "v20.20.2"
        int major = Integer.parseInt(version.replaceFirst("^v(\\d+).*$", "$1"));
        if (major < MIN_NODE_MAJOR) {
            throw new IllegalStateException(node + " is " + version + "; the browser test needs Node.js "
                    + MIN_NODE_MAJOR + " or newer (playwright-core's engines)");
        }
        return node;
    }

    /**
     * The {@code NODE_OPTIONS} that give node's scripts a global {@code WebSocket} (the JavaScript client's live test
     * uses Node's own): none on Node 22+, {@code --experimental-websocket} on Node 20 and 21.
     */
    static String webSocketNodeOptions() {
        Path node = node();
        String check = "process.stdout.write(typeof WebSocket)";
        if (output(List.of(node.toString(), "-e", check)).trim().equals("function")) {
            return "";
        }
        if (output(List.of(node.toString(), "--experimental-websocket", "-e", check)).trim().equals("function")) {
            return "--experimental-websocket";
        }
        throw new IllegalStateException(node + " has no WebSocket (Node.js 20 or newer has one)");
    }

    static Path npm() {
        node();
        return Packages.require("npm", "npm");
    }

    /**
     * Runs {@code command} in {@code directory} with {@code env} added, each output line printed with
     * {@code prefix}; kills it (and its children) after {@code timeout}. Answers the exit code.
     */
    static int run(String prefix, List<String> command, Path directory, Map<String, String> env, Duration timeout) {
        System.out.println(prefix + "$ " + String.join(" ", command) + "   (in " + directory.toAbsolutePath() + ")");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Thread pump = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    System.out.println(prefix + line);
                }
            } catch (IOException ended) {
                // the process is gone; its exit code tells
            }
        }, "output-of-" + command.get(0));
        pump.setDaemon(true);
        pump.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                pump.join(5_000);
                throw new IllegalStateException(String.join(" ", command) + " still running after " + timeout
                        + "; killed");
            }
            pump.join(5_000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static String output(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<String> command(Path executable, String... args) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(args));
        return command;
    }
}
