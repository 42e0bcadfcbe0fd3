package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** auth-service's admin API (off by default, keys from a Secret) and its trusted proxies. */
class AdminApiValuesTest {

    private static EnvVar authEnv(List<HasMetadata> objects, String name) {
        return Manifests.named(objects, Deployment.class, "auth-service").getSpec().getTemplate().getSpec()
                .getContainers().get(0).getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElse(null);
    }

    private static Map<String, String> authConfig(List<HasMetadata> objects) {
        return Manifests.named(objects, ConfigMap.class, "auth-service-config").getData();
    }

    @Test
    void shouldKeepTheAdminApiOffByDefaultAndInProduction() {
        for (List<HasMetadata> objects : List.of(Renders.defaults(), Renders.prod())) {
            assertEquals("false", authConfig(objects).get("PARLEY_AUTH_ADMIN_API_ENABLED"));
            assertNull(authEnv(objects, "PARLEY_AUTH_ADMIN_API_KEYS"), "no admin API keys while it is off");
        }
    }

    @Test
    void shouldTakeTheAdminApiKeysFromTheirSecretWhenEnabled() {
        List<HasMetadata> objects = Renders.with(Map.of("auth.adminApi.enabled", true,
                "secrets.adminApiKeys.existingSecret", "ops-keys"));
        assertEquals("true", authConfig(objects).get("PARLEY_AUTH_ADMIN_API_ENABLED"));
        EnvVar keys = authEnv(objects, "PARLEY_AUTH_ADMIN_API_KEYS");
        assertEquals("ops-keys", keys.getValueFrom().getSecretKeyRef().getName());
        assertEquals("PARLEY_AUTH_ADMIN_API_KEYS", keys.getValueFrom().getSecretKeyRef().getKey());
    }

    @Test
    void shouldNotRouteTheAdminApiThroughThePublicIngress() {
        for (Ingress ingress : Manifests.all(Renders.prod(), Ingress.class)) {
            ingress.getSpec().getRules().forEach(rule -> rule.getHttp().getPaths().forEach(path -> assertTrue(
                    !path.getPath().startsWith("/api/v1/admin") && !"auth-service".equals(
                            "/".equals(path.getPath()) ? path.getBackend().getService().getName() : ""),
                    path.toString())));
        }
    }

    @Test
    void shouldBelieveXForwardedForOnlyFromTheNamedProxies() {
        assertEquals("10.244.0.0/16", authConfig(Renders.prod()).get("PARLEY_AUTH_TRUSTED_PROXIES"));
        assertEquals("10.0.0.0/8,172.16.0.0/12,192.168.0.0/16", authConfig(Renders.defaults()).get("PARLEY_AUTH_TRUSTED_PROXIES"));
    }
}
