package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code PARLEY_*} variable the chart sets is one the services read: a property of a
 * {@code @ConfigMapping} interface (ChatConfig, TokenConfig, ...) or a {@code ${NAME}} placeholder in an
 * application.properties. A renamed setting in the code makes this fail instead of being silently ignored.
 */
class ServiceConfigEnvTest {

    /**
     * Set by the chart for settings the chat durability work is adding; remove a name here when ChatConfig has it
     * (the test then checks it like any other).
     */
    static final Set<String> PENDING = Set.of();

    @Test
    void shouldSetOnlyVariablesTheServicesRead() {
        Set<String> known = knownVariables();
        Set<String> unknown = new TreeSet<>();
        for (List<HasMetadata> render : List.of(Renders.defaults(), Renders.prod())) {
            Set<String> set = new TreeSet<>();
            Manifests.all(render, ConfigMap.class).forEach(cm -> set.addAll(cm.getData() == null ? Set.of() : cm.getData().keySet()));
            Manifests.all(render, Deployment.class).forEach(d -> d.getSpec().getTemplate().getSpec().getContainers()
                    .forEach(c -> c.getEnv().stream().map(EnvVar::getName).forEach(set::add)));
            set.stream().filter(n -> n.startsWith("PARLEY_")).filter(n -> !known.contains(n) && !PENDING.contains(n))
                    .forEach(unknown::add);
        }
        assertEquals(Set.of(), unknown, "PARLEY_* variables no service reads (known: " + known + ")");
    }

    @Test
    void shouldKnowTheVariablesOfChatConfig() {
        Set<String> known = knownVariables();
        assertTrue(known.contains("PARLEY_CHAT_LIMITS_MAX_FRAME_BYTES"), known::toString);
        assertTrue(known.contains("PARLEY_TOKEN_KEY"), known::toString);
        assertTrue(known.contains("PARLEY_CHAT_DELIVERY_IDLE_TIMEOUT"), known::toString);
    }

    /** Environment names of every config mapping and placeholder in the services' sources. */
    static Set<String> knownVariables() {
        Path root = ChartRenderer.k8sDir().getParent();
        Set<String> known = new TreeSet<>();
        // each module's src/main (the services and common), not node_modules or build output
        try (Stream<Path> modules = Files.list(root); Stream<Path> files = modules
                .map(module -> module.resolve("src/main")).filter(Files::isDirectory).flatMap(ServiceConfigEnvTest::walk)) {
            files
                    .forEach(p -> {
                        String name = p.getFileName().toString();
                        if (name.endsWith(".java")) {
                            known.addAll(configMappingVariables(read(p)));
                        } else if (name.endsWith(".properties")) {
                            Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)").matcher(read(p));
                            while (m.find()) {
                                known.add(m.group(1));
                            }
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return known;
    }

    private static Stream<Path> walk(Path dir) {
        try {
            return Files.walk(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Pattern PREFIX = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)\\s*public\\s+interface\\s+\\w+\\s*\\{");
    private static final Pattern INTERFACE = Pattern.compile("interface\\s+(\\w+)\\s*\\{");
    private static final Pattern METHOD = Pattern.compile("(?:@WithName\\(\"([^\"]+)\"\\)\\s*)?([\\w.]+(?:<[^;()]*>)?)\\s+(\\w+)\\(\\)\\s*;");

    /** The variables a {@code @ConfigMapping} interface reads: prefix + kebab-case method path, as env names. */
    static Set<String> configMappingVariables(String source) {
        Set<String> names = new TreeSet<>();
        String code = source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
        Matcher m = PREFIX.matcher(code);
        if (!m.find()) {
            return names;
        }
        Map<String, String> bodies = new java.util.HashMap<>();
        Matcher i = INTERFACE.matcher(code);
        while (i.find()) {
            bodies.put(i.group(1), body(code, i.end()));
        }
        walk(body(code, m.end()), m.group(1), bodies, names);
        return names;
    }

    private static void walk(String body, String prefix, Map<String, String> bodies, Set<String> names) {
        String topLevel = topLevelOnly(body);
        Matcher m = METHOD.matcher(topLevel);
        while (m.find()) {
            String type = m.group(2);
            String key = m.group(1) != null ? m.group(1) : m.group(3).replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            String path = prefix + "." + key;
            String inner = type.replaceAll("^Optional<(.*)>$", "$1");
            if (type.startsWith("Map<")) {
                continue;
            }
            if (bodies.containsKey(inner)) {
                walk(bodies.get(inner), path, bodies, names);
            } else {
                names.add(path.toUpperCase().replaceAll("[^A-Z0-9]", "_"));
            }
        }
    }

    /** The text between the brace before {@code from} and its matching closing brace. */
    private static String body(String code, int from) {
        int depth = 1;
        for (int i = from; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return code.substring(from, i);
            }
        }
        return code.substring(from);
    }

    /** A body without its nested blocks (nested interfaces are walked through their own bodies). */
    private static String topLevelOnly(String body) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (char c : body.toCharArray()) {
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                out.append(';');
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
