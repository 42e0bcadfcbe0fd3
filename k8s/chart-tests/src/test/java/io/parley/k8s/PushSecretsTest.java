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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * notify-service's push provider keys: each provider is off until its Secret is named; then the key files (FCM service
 * account, APNs .p8) are mounted from the Secret and named by path, the short secrets come by secretKeyRef, the
 * non-secret settings by the ConfigMap — in the serving pods of notify-service only.
 */
class PushSecretsTest {

    private static final Map<String, Object> ALL_ON = Map.of(
            "notify.push.fcm.existingSecret", "fcm-key",
            "notify.push.apns.existingSecret", "apns-key",
            "notify.push.apns.topic", "com.example.chat",
            "notify.push.webPush.existingSecret", "vapid");

    private static PodSpec pod(List<HasMetadata> objects, String deployment) {
        return Manifests.named(objects, Deployment.class, deployment).getSpec().getTemplate().getSpec();
    }

    private static Container notify(List<HasMetadata> objects) {
        return pod(objects, "notify-service").getContainers().get(0);
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElse(null);
    }

    private static boolean anyPushEnv(Container container) {
        return container.getEnv().stream().anyMatch(e -> e.getName().startsWith("PARLEY_NOTIFY_PUSH_"));
    }

    @Test
    void shouldLeaveEveryProviderOffWithoutItsSecret() {
        for (List<HasMetadata> objects : List.of(Renders.defaults(), Renders.prod())) {
            assertFalse(anyPushEnv(notify(objects)), "no push keys by default");
            assertTrue(pod(objects, "notify-service").getVolumes().stream().noneMatch(v -> v.getName().startsWith("push-")));
        }
    }

    @Test
    void shouldMountTheKeyFilesAndInjectTheSecretsOfEachNamedProvider() {
        List<HasMetadata> objects = Renders.with(ALL_ON);
        Container notify = notify(objects);

        assertEquals("/etc/parley/push/fcm/service-account.json", env(notify, "PARLEY_NOTIFY_PUSH_FCM_SERVICE_ACCOUNT").getValue());
        assertEquals("/etc/parley/push/apns/AuthKey.p8", env(notify, "PARLEY_NOTIFY_PUSH_APNS_KEY").getValue());
        assertSecretRef(env(notify, "PARLEY_NOTIFY_PUSH_APNS_KEY_ID"), "apns-key", "APNS_KEY_ID");
        assertSecretRef(env(notify, "PARLEY_NOTIFY_PUSH_APNS_TEAM_ID"), "apns-key", "APNS_TEAM_ID");
        assertSecretRef(env(notify, "PARLEY_NOTIFY_PUSH_WEB_PUSH_VAPID_PUBLIC_KEY"), "vapid", "VAPID_PUBLIC_KEY");
        assertSecretRef(env(notify, "PARLEY_NOTIFY_PUSH_WEB_PUSH_VAPID_PRIVATE_KEY"), "vapid", "VAPID_PRIVATE_KEY");

        assertMounted(objects, notify, "push-fcm", "/etc/parley/push/fcm", "fcm-key", "service-account.json",
                "service-account.json");
        assertMounted(objects, notify, "push-apns", "/etc/parley/push/apns", "apns-key", "AuthKey.p8", "AuthKey.p8");

        Map<String, String> config = Manifests.named(objects, ConfigMap.class, "notify-service-config").getData();
        assertEquals("com.example.chat", config.get("PARLEY_NOTIFY_PUSH_APNS_TOPIC"));
        assertEquals("https://api.push.apple.com", config.get("PARLEY_NOTIFY_PUSH_APNS_BASE_URL"));
        assertEquals("mailto:push@parley.invalid", config.get("PARLEY_NOTIFY_PUSH_WEB_PUSH_SUBJECT"));
    }

    @Test
    void shouldGiveTheKeysToNotifyServicesServingPodsOnly() {
        List<HasMetadata> objects = Renders.with(ALL_ON);
        for (String other : List.of("auth-service", "chat-service", "id-service")) {
            assertFalse(anyPushEnv(pod(objects, other).getContainers().get(0)), other);
        }
        for (Job job : Manifests.all(objects, Job.class)) {
            job.getSpec().getTemplate().getSpec().getContainers().forEach(c ->
                    assertFalse(anyPushEnv(c), "the migration Job needs no push keys: " + job.getMetadata().getName()));
        }
    }

    @Test
    void shouldTakeOnlyTheProvidersNamed() {
        Container notify = notify(Renders.with(Map.of("notify.push.webPush.existingSecret", "vapid")));
        assertSecretRef(env(notify, "PARLEY_NOTIFY_PUSH_WEB_PUSH_VAPID_PRIVATE_KEY"), "vapid", "VAPID_PRIVATE_KEY");
        assertNull(env(notify, "PARLEY_NOTIFY_PUSH_FCM_SERVICE_ACCOUNT"));
        assertNull(env(notify, "PARLEY_NOTIFY_PUSH_APNS_KEY"));
    }

    private static void assertSecretRef(EnvVar env, String secret, String key) {
        assertEquals(secret, env.getValueFrom().getSecretKeyRef().getName(), env.getName());
        assertEquals(key, env.getValueFrom().getSecretKeyRef().getKey(), env.getName());
    }

    private static void assertMounted(List<HasMetadata> objects, Container container, String volume, String path,
                                      String secret, String key, String file) {
        VolumeMount mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals(volume)).findFirst()
                .orElseThrow(() -> new AssertionError("no mount " + volume));
        assertEquals(path, mount.getMountPath());
        assertTrue(mount.getReadOnly());
        Volume v = pod(objects, "notify-service").getVolumes().stream().filter(x -> x.getName().equals(volume))
                .findFirst().orElseThrow();
        assertEquals(secret, v.getSecret().getSecretName());
        assertEquals(key, v.getSecret().getItems().get(0).getKey());
        assertEquals(file, v.getSecret().getItems().get(0).getPath());
    }
}
