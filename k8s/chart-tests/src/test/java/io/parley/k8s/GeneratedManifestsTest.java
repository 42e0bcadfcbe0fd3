package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart stays in step with what quarkus-kubernetes generates from each service's configuration
 * ({@code k8s/generated/}, scripts/generate-k8s.sh): same container port, probe paths, migration Job and the
 * environment the generated Deployment sets.
 */
class GeneratedManifestsTest {

    @ParameterizedTest
    @ValueSource(strings = {"auth-service", "id-service", "chat-service", "notify-service"})
    void shouldMatchTheGeneratedManifest(String service) throws IOException {
        List<HasMetadata> generated = Manifests.parse(Files.readString(ChartRenderer.k8sDir().resolve("generated/" + service + ".yml")));
        List<HasMetadata> chart = Renders.defaults();
        Container want = Manifests.named(generated, Deployment.class, service).getSpec().getTemplate().getSpec().getContainers().get(0);
        Deployment chartDeployment = Manifests.named(chart, Deployment.class, service);
        Container got = chartDeployment.getSpec().getTemplate().getSpec().getContainers().get(0);

        assertEquals(want.getPorts().get(0).getContainerPort(), got.getPorts().get(0).getContainerPort(), "container port");
        assertEquals(want.getPorts().get(0).getName(), got.getPorts().get(0).getName(), "port name");
        assertEquals(path(want.getLivenessProbe()), path(got.getLivenessProbe()), "liveness path");
        assertEquals(path(want.getReadinessProbe()), path(got.getReadinessProbe()), "readiness path");
        assertEquals(path(want.getStartupProbe()), path(got.getStartupProbe()), "startup path");
        assertTrue(names(got, EnvVar::getName).containsAll(names(want, EnvVar::getName)),
                () -> "the chart sets every variable the generated Deployment sets: " + names(want, EnvVar::getName));
        assertEquals(want.getImage().replaceAll(".*/", ""), got.getImage().replaceAll(".*/", ""), "image name and tag");
        long generatedGrace = Manifests.named(generated, Deployment.class, service).getSpec().getTemplate().getSpec()
                .getTerminationGracePeriodSeconds();
        assertTrue(chartDeployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() >= 30,
                "grace period outlasts quarkus.shutdown.timeout (20 s): generated " + generatedGrace);

        List<Job> generatedJobs = Manifests.all(generated, Job.class);
        List<Job> chartJobs = Manifests.all(chart, Job.class).stream()
                .filter(j -> j.getMetadata().getName().startsWith(service + "-liquibase-")).toList();
        assertEquals(generatedJobs.size(), chartJobs.size(), "a migration Job exactly where quarkus-kubernetes makes one");
        if (!generatedJobs.isEmpty()) {
            Container wantJob = generatedJobs.get(0).getSpec().getTemplate().getSpec().getContainers().get(0);
            Container gotJob = chartJobs.get(0).getSpec().getTemplate().getSpec().getContainers().get(0);
            for (EnvVar e : wantJob.getEnv()) {
                assertTrue(gotJob.getEnv().stream().anyMatch(g -> g.getName().equals(e.getName()) && g.getValue().equals(e.getValue())),
                        "migration Job sets " + e.getName() + "=" + e.getValue());
            }
            assertFalse(chartDeployment.getSpec().getTemplate().getSpec().getInitContainers().isEmpty(), "pods wait for the Job");
        }
    }

    private static String path(Probe probe) {
        return probe == null || probe.getHttpGet() == null ? null : probe.getHttpGet().getPath();
    }

    private static Set<String> names(Container c, Function<EnvVar, String> name) {
        return new TreeSet<>(c.getEnv() == null ? List.of() : c.getEnv().stream().map(name).toList());
    }
}
