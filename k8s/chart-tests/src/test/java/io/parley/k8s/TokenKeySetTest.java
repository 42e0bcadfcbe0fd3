package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** secrets.tokenKeys: every service and migration Job reads the token key set from a mounted Secret it can re-read. */
class TokenKeySetTest {

    private static final String FILE = "/etc/parley/token-keys/token-keys.json";

    private static List<PodSpec> pods(List<HasMetadata> objects) {
        List<PodSpec> pods = new ArrayList<>();
        Manifests.all(objects, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().endsWith("-service"))
                .forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
        Manifests.all(objects, Job.class).forEach(j -> pods.add(j.getSpec().getTemplate().getSpec()));
        return pods;
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElse(null);
    }

    @Test
    void shouldMountTheKeySetSecretWhereEveryServiceReReadsIt() {
        List<HasMetadata> objects = Renders.prod();
        List<PodSpec> pods = pods(objects);
        assertEquals(4 + 3, pods.size(), "four services and three migration Jobs");
        for (PodSpec pod : pods) {
            Container container = pod.getContainers().get(0);
            assertEquals(FILE, env(container, "PARLEY_TOKEN_KEYS_FILE").getValue(), container.getName());
            assertNull(env(container, "PARLEY_TOKEN_KEY"), "one source of keys");
            Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals("token-keys")).findFirst().orElseThrow();
            assertEquals("parley-token-keys", volume.getSecret().getSecretName());
            assertEquals("token-keys.json", volume.getSecret().getItems().get(0).getKey());
            assertEquals("token-keys.json", volume.getSecret().getItems().get(0).getPath());
            VolumeMount mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals("token-keys"))
                    .findFirst().orElseThrow();
            assertEquals("/etc/parley/token-keys", mount.getMountPath());
            assertTrue(mount.getReadOnly());
            assertNull(mount.getSubPath(), "a subPath mount never sees the Secret change");
        }
        assertEquals("10S", Manifests.named(objects, ConfigMap.class, "parley-config").getData()
                .get("PARLEY_TOKEN_KEYS_RELOAD_INTERVAL"));
    }

    @Test
    void shouldKeepTheSingleKeyByDefault() {
        for (PodSpec pod : pods(Renders.defaults())) {
            Container container = pod.getContainers().get(0);
            assertEquals("parley-secrets", env(container, "PARLEY_TOKEN_KEY").getValueFrom().getSecretKeyRef().getName());
            assertNull(env(container, "PARLEY_TOKEN_KEYS_FILE"));
            assertFalse(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("token-keys")));
        }
    }

    @Test
    void shouldTakeTheKeySetFromTheSecretNamedInValues() {
        List<HasMetadata> objects = Renders.with(Map.of("secrets.tokenKeys.existingSecret", "my-keys",
                "secrets.tokenKeys.key", "keys.json", "config.tokenKeysReloadInterval", "30S"));
        for (PodSpec pod : pods(objects)) {
            Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals("token-keys")).findFirst().orElseThrow();
            assertEquals("my-keys", volume.getSecret().getSecretName());
            assertEquals("keys.json", volume.getSecret().getItems().get(0).getKey());
        }
        assertEquals("30S", Manifests.named(objects, ConfigMap.class, "parley-config").getData()
                .get("PARLEY_TOKEN_KEYS_RELOAD_INTERVAL"));
    }
}
