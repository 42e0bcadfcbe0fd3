package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chart with values.yaml: a laptop cluster with in-chart Redis and MySQL. */
class DefaultValuesTest {

    static final Map<String, Integer> CONTRACT_PORTS = Map.of(
            "auth-service", 8081, "id-service", 8084, "chat-service", 8080, "notify-service", 8083);

    @Test
    void shouldParseEveryObjectAsATypedKubernetesObject() {
        List<HasMetadata> objects = Renders.defaults();
        assertFalse(objects.isEmpty());
        for (HasMetadata o : objects) {
            assertFalse(o instanceof GenericKubernetesResource, () -> Manifests.id(o) + " parsed untyped");
            assertEquals(List.of(), Manifests.typingProblems(o));
        }
    }

    @Test
    void shouldSatisfyEveryRule() {
        assertEquals(List.of(), ChartRules.check(Renders.defaults()));
    }

    @Test
    void shouldServeTheFourServicesOnTheirContractPorts() {
        List<HasMetadata> objects = Renders.defaults();
        CONTRACT_PORTS.forEach((name, port) -> {
            Deployment d = Manifests.named(objects, Deployment.class, name);
            assertEquals(port, d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0).getContainerPort());
            Service s = Manifests.named(objects, Service.class, name);
            assertEquals(port, s.getSpec().getPorts().get(0).getPort());
            assertEquals("docker.io/parley/" + name + ":1.0.0-SNAPSHOT",
                    d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        });
    }

    @Test
    void shouldRunInChartRedisAndMysqlWithVolumes() {
        List<HasMetadata> objects = Renders.defaults();
        for (String name : List.of("parley-redis", "parley-mysql")) {
            StatefulSet s = Manifests.named(objects, StatefulSet.class, name);
            assertEquals(1, s.getSpec().getVolumeClaimTemplates().size(), name + " has a PVC");
            assertTrue(s.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
        }
        ConfigMap shared = Manifests.named(objects, ConfigMap.class, "parley-config");
        assertEquals("redis://parley-redis:6379", shared.getData().get("QUARKUS_REDIS_HOSTS"));
        assertEquals("standalone", shared.getData().get("QUARKUS_REDIS_CLIENT_TYPE"));
        assertEquals("jdbc:mysql://parley-mysql:3306/parley_chat",
                Manifests.named(objects, ConfigMap.class, "chat-service-config").getData().get("QUARKUS_DATASOURCE_JDBC_URL"));
    }

    @Test
    void shouldMigrateEachSchemaInAJobThePodsWaitFor() {
        List<HasMetadata> objects = Renders.defaults();
        List<Job> jobs = Manifests.all(objects, Job.class);
        assertEquals(3, jobs.size(), "auth, chat and notify have a schema; id-service has none");
        for (String name : List.of("auth-service", "chat-service", "notify-service")) {
            Deployment d = Manifests.named(objects, Deployment.class, name);
            var init = d.getSpec().getTemplate().getSpec().getInitContainers();
            assertEquals(1, init.size(), name);
            String job = init.get(0).getArgs().get(1);
            assertTrue(job.startsWith(name + "-liquibase-"), job);
            var env = Manifests.named(objects, Job.class, job).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
            assertTrue(env.stream().anyMatch(e -> e.getName().equals("QUARKUS_INIT_AND_EXIT") && e.getValue().equals("true")));
        }
        assertTrue(Manifests.named(objects, Deployment.class, "id-service").getSpec().getTemplate().getSpec()
                .getInitContainers() == null || Manifests.named(objects, Deployment.class, "id-service").getSpec()
                .getTemplate().getSpec().getInitContainers().isEmpty());
    }

    @Test
    void shouldRenderTheSameMigrationJobNameUntilTheImageChanges() {
        String job = Manifests.all(Renders.defaults(), Job.class).get(0).getMetadata().getName();
        List<String> retagged = Manifests.all(Renders.with(Map.of("image.tag", "1.0.1")), Job.class).stream()
                .map(j -> j.getMetadata().getName()).toList();
        assertFalse(retagged.contains(job), "a new image gets a new Job (a Job's pod template is immutable)");
    }

    @Test
    void shouldLeaveOutProductionOnlyObjectsByDefault() {
        List<HasMetadata> objects = Renders.defaults();
        for (String kind : List.of("HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "Ingress", "ServiceMonitor")) {
            assertEquals(List.of(), Manifests.ofKind(objects, kind), kind);
        }
        // the development Secret is a pre-install hook: helm install makes it, a template render lists no Secret
        assertEquals(List.of(), Manifests.all(objects, Secret.class));
    }
}
