package io.parley.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Installs Debian packages the tests need when they are missing (as root, non-interactively). */
public final class Packages {

    private static boolean updated;

    private Packages() {
    }

    /** Makes sure {@code binary} exists, installing {@code packages} with apt-get if it does not. */
    public static synchronized Path require(String binary, String... packages) {
        Path found = find(binary);
        if (found != null) {
            return found;
        }
        if (!updated) {
            run(List.of("apt-get", "update", "-qq"));
            updated = true;
        }
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends"));
        install.addAll(List.of(packages));
        run(install);
        found = find(binary);
        if (found == null) {
            throw new IllegalStateException(binary + " is still missing after installing " + String.join(" ", packages));
        }
        return found;
    }

    static Path find(String binary) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin:/sbin:/bin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, binary);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static void run(List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO().redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> env = builder.environment();
            env.put("DEBIAN_FRONTEND", "noninteractive");
            int exit = builder.start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + exit
                        + " (installing test servers needs root and the Debian package registry)");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing", e);
        }
    }
}
