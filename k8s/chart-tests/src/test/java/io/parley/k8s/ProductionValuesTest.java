package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chart with values-prod.yaml: external Redis Cluster and MySQL, HPA, PDBs, NetworkPolicies, TLS ingress. */
class ProductionValuesTest {

    @Test
    void shouldSatisfyEveryRule() {
        assertEquals(List.of(), ChartRules.check(Renders.prod()));
    }

    @Test
    void shouldSatisfyTheProductionRules() {
        assertEquals(List.of(), ChartRules.production(Renders.prod()));
    }

    @Test
    void shouldTakeCredentialsOnlyFromExistingSecrets() {
        List<HasMetadata> objects = Renders.prod();
        for (Deployment d : Manifests.all(objects, Deployment.class)) {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                    .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                    .forEach(e -> assertTrue(List.of("parley-token", "parley-auth-admin", "parley-db", "parley-redis", "parley-smtp")
                            .contains(e.getValueFrom().getSecretKeyRef().getName()), e.toString()));
        }
    }

    @Test
    void shouldUseTheExternalRedisClusterAndMysql() {
        List<HasMetadata> objects = Renders.prod();
        assertEquals(List.of(), Manifests.all(objects, StatefulSet.class));
        var shared = Manifests.named(objects, ConfigMap.class, "parley-config").getData();
        assertEquals("cluster", shared.get("QUARKUS_REDIS_CLIENT_TYPE"));
        assertTrue(shared.get("QUARKUS_REDIS_HOSTS").startsWith("rediss://redis-cluster-0"));
        var chat = Manifests.named(objects, ConfigMap.class, "chat-service-config").getData();
        assertEquals("jdbc:mysql://mysql.data.svc:3306/parley_chat?sslMode=REQUIRED", chat.get("QUARKUS_DATASOURCE_JDBC_URL"));
        assertEquals("aof", chat.get("PARLEY_CHAT_DURABILITY_LEVEL"));
    }

    @Test
    void shouldScaleChatOnOpenConnectionsPerPodWithCpuAsFallback() {
        List<HasMetadata> objects = Renders.prod();
        HorizontalPodAutoscaler hpa = Manifests.named(objects, HorizontalPodAutoscaler.class, "chat-service");
        assertTrue(hpa.getSpec().getMinReplicas() >= 3, "at least three chat pods");
        List<MetricSpec> metrics = hpa.getSpec().getMetrics();
        assertTrue(metrics.stream().anyMatch(m -> m.getType().equals("Pods")
                && m.getPods().getMetric().getName().equals("parley_chat_connections")));
        assertTrue(metrics.stream().anyMatch(m -> m.getType().equals("Resource") && m.getResource().getName().equals("cpu")));
        assertEquals(null, Manifests.named(objects, Deployment.class, "chat-service").getSpec().getReplicas(),
                "the HPA owns the replica count");
    }

    @Test
    void shouldRunAtLeastThreeChatPodsWithoutAutoscaling() {
        Deployment chat = Manifests.named(Manifests.parse(ChartRenderer.render(Renders.chart(), List.of(Renders.prodValues()),
                Map.of("chat.autoscaling.enabled", false))), Deployment.class, "chat-service");
        assertTrue(chat.getSpec().getReplicas() >= 3);
    }

    @Test
    void shouldKeepWebSocketsOpenThroughTheTlsIngress() {
        Ingress ingress = Manifests.named(Renders.prod(), Ingress.class, "parley");
        assertEquals("parley-tls", ingress.getSpec().getTls().get(0).getSecretName());
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        assertTrue(Integer.parseInt(annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout")) >= 3600);
        assertTrue(Integer.parseInt(annotations.get("nginx.ingress.kubernetes.io/proxy-send-timeout")) >= 3600);
        var paths = ingress.getSpec().getRules().get(0).getHttp().getPaths();
        assertTrue(paths.stream().anyMatch(p -> p.getPath().equals("/ws") && p.getBackend().getService().getName().equals("chat-service")));
        assertFalse(paths.stream().anyMatch(p -> p.getBackend().getService().getName().equals("id-service")),
                "id-service is internal");
    }

    @Test
    void shouldLetOnlyTheServicesThatNeedThemReachEachOther() {
        List<HasMetadata> objects = Renders.prod();
        // id-service: reached by chat only, and it reaches no database port
        NetworkPolicy id = Manifests.named(objects, NetworkPolicy.class, "id-service");
        assertEquals(List.of("chat-service"), id.getSpec().getIngress().stream()
                .flatMap(r -> r.getFrom().stream()).filter(p -> p.getPodSelector() != null)
                .map(p -> p.getPodSelector().getMatchLabels().get("app.kubernetes.io/name")).toList());
        assertFalse(egressPorts(id).contains(3306), "id-service has no schema");
        assertTrue(egressPorts(id).contains(6379));
        // chat reaches auth and id; notify reaches chat
        assertEquals(List.of("auth-service", "id-service"), egressServices(Manifests.named(objects, NetworkPolicy.class, "chat-service")));
        assertEquals(List.of("chat-service"), egressServices(Manifests.named(objects, NetworkPolicy.class, "notify-service")));
        assertTrue(egressPorts(Manifests.named(objects, NetworkPolicy.class, "auth-service")).contains(3306));
    }

    private static List<Integer> egressPorts(NetworkPolicy p) {
        return p.getSpec().getEgress().stream().filter(r -> r.getPorts() != null).flatMap(r -> r.getPorts().stream())
                .map(port -> port.getPort().getIntVal()).toList();
    }

    private static List<String> egressServices(NetworkPolicy p) {
        return p.getSpec().getEgress().stream().map(NetworkPolicyEgressRule::getTo).filter(to -> to != null)
                .flatMap(List::stream).filter(peer -> peer.getPodSelector() != null && peer.getNamespaceSelector() == null)
                .map(peer -> peer.getPodSelector().getMatchLabels().get("app.kubernetes.io/name")).toList();
    }

    @Test
    void shouldScrapeEveryServiceWithAServiceMonitor() {
        HasMetadata monitor = Manifests.ofKind(Renders.prod(), "ServiceMonitor").get(0);
        assertTrue(monitor instanceof GenericKubernetesResource);
        Map<String, Object> spec = ((GenericKubernetesResource) monitor).get("spec");
        assertNotNull(spec.get("endpoints"));
        assertTrue(spec.toString().contains("/q/metrics"));
    }
}
