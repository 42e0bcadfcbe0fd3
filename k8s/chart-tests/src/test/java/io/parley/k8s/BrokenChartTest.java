package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rule checks are not vacuous: a copy of the chart with one deliberate defect goes through the same checks
 * as the real chart, and they must name the defect.
 */
class BrokenChartTest {

    @TempDir
    Path temp;

    record Defect(String file, String find, String replace) {
    }

    static Stream<Arguments> defects() {
        return Stream.of(
                Arguments.of("readiness probe removed",
                        new Defect("templates/deployments.yaml", "          readinessProbe:\n            httpGet: {path: /q/health/ready, port: http}\n", "          readinessProbe:\n            tcpSocket: {port: http}\n"),
                        "no readiness probe"),
                Arguments.of("liveness probe on the wrong path",
                        new Defect("templates/deployments.yaml", "{path: /q/health/live, port: http}", "{path: /health, port: http}"),
                        "liveness probe on /health"),
                Arguments.of("misspelt field",
                        new Defect("templates/deployments.yaml", "          livenessProbe:", "          livenesProbe:"),
                        "unknown field(s) [livenesProbe]"),
                Arguments.of("no resources",
                        new Defect("templates/deployments.yaml", "            {{- toYaml $values.resources | nindent 12 }}", "            {}"),
                        "no cpu and memory requests"),
                Arguments.of("root allowed",
                        new Defect("templates/deployments.yaml", "        {{- toYaml $.Values.podSecurityContext | nindent 8 }}", "        runAsUser: 0"),
                        "not runAsNonRoot"),
                Arguments.of("grace period shorter than the drain",
                        new Defect("templates/deployments.yaml", "terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}", "terminationGracePeriodSeconds: 10"),
                        "is not longer than the drain"),
                Arguments.of("Service selecting nothing",
                        new Defect("templates/services.yaml", "{{- include \"parley.serverSelectorLabels\" (list $ $svc.name) | nindent 4 }}", "app.kubernetes.io/name: {{ $svc.name }}-typo"),
                        "selects no Deployment or StatefulSet"),
                Arguments.of("Service selecting the migration Job too",
                        new Defect("templates/services.yaml", "{{- include \"parley.serverSelectorLabels\" (list $ $svc.name) | nindent 4 }}", "{{- include \"parley.selectorLabels\" (list $ $svc.name) | nindent 4 }}"),
                        "also selects a Job's pods"),
                Arguments.of("a password in a ConfigMap",
                        new Defect("templates/configmaps.yaml", "  QUARKUS_REDIS_HOSTS:", "  QUARKUS_REDIS_PASSWORD: hunter2\n  QUARKUS_REDIS_HOSTS:"),
                        "looks secret but is in a ConfigMap"),
                Arguments.of("a secret as a literal env value",
                        new Defect("templates/deployments.yaml", "            - name: KUBERNETES_NAMESPACE\n", "            - name: PARLEY_AUTH_ADMIN_KEY\n              value: admin\n            - name: KUBERNETES_NAMESPACE\n"),
                        "PARLEY_AUTH_ADMIN_KEY is not taken from a Secret"),
                Arguments.of("waiting for a Job that is not rendered",
                        new Defect("templates/deployments.yaml", "args: [job, {{ include \"parley.migrationJob\" (list $ $key) }}]", "args: [job, {{ $svc.name }}-liquibase-init]"),
                        "which is not rendered"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("defects")
    void shouldCatchTheDefect(String name, Defect defect, String expected) throws IOException {
        Path chart = brokenCopy(defect);
        List<String> violations = ChartRules.check(Manifests.parse(ChartRenderer.render(chart, List.of(), Map.of())));
        assertTrue(violations.stream().anyMatch(v -> v.contains(expected)),
                () -> name + ": expected a violation containing \"" + expected + "\", got " + violations);
    }

    @Test
    void shouldCatchProductionValuesWithoutPdbsOrNetworkPolicies() throws IOException {
        Path chart = brokenCopy(new Defect("values-prod.yaml", "pdb:\n  enabled: true", "pdb:\n  enabled: false"));
        List<String> violations = ChartRules.production(Manifests.parse(ChartRenderer.render(chart,
                List.of(chart.resolve("values-prod.yaml")), Map.of("networkPolicy.enabled", false))));
        assertTrue(violations.contains("Deployment/chat-service: no PodDisruptionBudget"), violations::toString);
        assertTrue(violations.contains("Deployment/chat-service: no NetworkPolicy"), violations::toString);
    }

    private Path brokenCopy(Defect defect) throws IOException {
        Path copy = temp.resolve("parley");
        try (Stream<Path> files = Files.walk(Renders.chart())) {
            files.forEach(source -> {
                Path target = copy.resolve(Renders.chart().relativize(source).toString());
                try {
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(source, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        Path file = copy.resolve(defect.file());
        String text = Files.readString(file);
        assertTrue(text.contains(defect.find()), () -> defect.file() + " no longer contains: " + defect.find());
        String broken = text.replace(defect.find(), defect.replace());
        assertNotEquals(text, broken);
        Files.writeString(file, broken);
        assertEquals(broken, Files.readString(file));
        return copy;
    }
}
