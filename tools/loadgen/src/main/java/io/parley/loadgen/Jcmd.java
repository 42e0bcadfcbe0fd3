package io.parley.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code jcmd <pid> <command>} against a chat node. The jcmd beside the node's own {@code java} binary
 * ({@code /proc/<pid>/exe}) is used, so a node on another JDK (PARLEY_BENCH_JAVA) is asked by its own tools;
 * {@code jcmd} on the PATH otherwise.
 */
final class Jcmd {

    private static final long TIMEOUT_SECONDS = 120; // a class histogram of a 1 GB heap takes a few seconds

    private Jcmd() {
    }

    /** The command's output; throws if jcmd fails or the JVM cannot be attached. */
    static String run(int pid, String... command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add(binaryFor(pid));
        argv.add(Integer.toString(pid));
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + String.join(" ", command) + " timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed: " + text.strip());
        }
        return text;
    }

    private static String binaryFor(int pid) {
        try {
            Path java = Path.of("/proc", Integer.toString(pid), "exe").toRealPath();
            Path jcmd = java.resolveSibling("jcmd");
            if (Files.isExecutable(jcmd)) {
                return jcmd.toString();
            }
        } catch (IOException | RuntimeException e) {
            // not readable: the PATH's jcmd
        }
        return "jcmd";
    }
}
