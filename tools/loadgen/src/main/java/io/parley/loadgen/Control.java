package io.parley.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the platform's control script (scripts/loadtest-control.sh, given by loadtest.sh with {@code --control}):
 * kill, stop and start a component, a redis-cli command, SQL on chat-service's schema, Redis figures. The script
 * knows how loadtest.sh started everything (same ports, PID files, JVM flags).
 */
final class Control {

    private final String script;

    Control(String script) {
        if (script == null) {
            throw new IllegalArgumentException("--control SCRIPT is required (scripts/loadtest.sh passes it)");
        }
        this.script = script;
    }

    /** Runs {@code script args...}; returns its stdout; throws with its output if it fails. */
    String run(String... args) {
        return runWithInput(null, args);
    }

    /** Runs {@code script args...} with {@code input} (if not null) on its stdin; returns its stdout. */
    String runWithInput(String input, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(script);
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (input != null) {
                // a thread: the script may answer (fill its stdout pipe) before it has read all of its input
                Thread writer = new Thread(() -> {
                    try (var stdin = p.getOutputStream()) {
                        stdin.write(input.getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        // the script ended early: its exit status says why
                    }
                }, "control-stdin");
                writer.setDaemon(true);
                writer.start();
            } else {
                p.getOutputStream().close();
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", args) + ": timed out");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", args) + " failed (" + p.exitValue() + "): " + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SQL on chat-service's schema: rows of tab-separated columns, no header. */
    List<String[]> sql(String statement) {
        List<String[]> rows = new ArrayList<>();
        for (String line : run("sql", statement).split("\n")) {
            if (!line.isEmpty()) {
                rows.add(line.split("\t", -1));
            }
        }
        return rows;
    }

    long sqlLong(String statement) {
        List<String[]> rows = sql(statement);
        return rows.isEmpty() || rows.get(0)[0].equals("NULL") ? 0 : Long.parseLong(rows.get(0)[0].strip());
    }

    /** The script's {@code redis-stats}: lines of "name value" (numbers). */
    Map<String, Long> redisStats() {
        Map<String, Long> stats = new LinkedHashMap<>();
        for (String line : run("redis-stats").split("\n")) {
            String[] kv = line.strip().split("\\s+");
            if (kv.length == 2 && kv[1].matches("-?\\d+")) {
                stats.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return stats;
    }

    /** Every key name in Redis ({@code redis-cli --scan}: SCAN, not KEYS; a key may come twice). */
    List<String> scanKeys() {
        List<String> keys = new ArrayList<>();
        for (String line : run("redis-cli", "--scan").split("\n")) {
            if (!line.isEmpty()) {
                keys.add(line);
            }
        }
        return keys;
    }

    /** {@code MEMORY USAGE} of each key, in one redis-cli (pipelined on its stdin); a key gone since is left out. */
    Map<String, Long> memoryUsage(List<String> keys) {
        Map<String, Long> usage = new LinkedHashMap<>();
        if (keys.isEmpty()) {
            return usage;
        }
        StringBuilder commands = new StringBuilder();
        for (String key : keys) {
            commands.append("MEMORY USAGE \"").append(key.replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\"\n");
        }
        String[] answers = runWithInput(commands.toString(), "redis-cli").split("\n", -1);
        for (int i = 0; i < keys.size() && i < answers.length; i++) {
            String a = answers[i].strip();
            if (a.matches("\\d+")) {
                usage.put(keys.get(i), Long.parseLong(a));
            }
        }
        return usage;
    }

    int pid(String component) {
        String out = run("pid", component).strip();
        return out.isEmpty() ? -1 : Integer.parseInt(out);
    }
}
