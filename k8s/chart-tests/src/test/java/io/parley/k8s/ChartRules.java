package io.parley.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules every render of the chart must satisfy (issue 7 §1). Each check returns the violations it found, so a
 * test can assert both that a good chart has none and that a broken one is caught.
 */
final class ChartRules {

    static final String LIVE = "/q/health/live";
    static final String READY = "/q/health/ready";
    /**
     * Environment names that carry secrets: they must come from a Secret, never a literal or a ConfigMap. A name
     * ending in {@code _FILE} (the path of a mounted Secret) or {@code _INTERVAL} (a duration) carries none.
     */
    static final Pattern SECRET_NAME =
            Pattern.compile("(?!.*(_FILE|_INTERVAL)$).*(PASSWORD|TOKEN_KEY|ADMIN_KEY|API_KEY|SECRET).*");

    private ChartRules() {
    }

    /** Every rule that holds for any values. */
    static List<String> check(List<HasMetadata> objects) {
        List<String> v = new ArrayList<>();
        objects.forEach(o -> v.addAll(Manifests.typingProblems(o)));
        v.addAll(deployments(objects));
        v.addAll(noPlainSecrets(objects));
        v.addAll(servicesSelectWorkloads(objects));
        v.addAll(referencesResolve(objects));
        return v;
    }

    /** Both probes on the contract's paths and on a declared port, requests and limits, non-root, grace > drain. */
    static List<String> deployments(List<HasMetadata> objects) {
        List<String> v = new ArrayList<>();
        List<Deployment> deployments = Manifests.all(objects, Deployment.class);
        if (deployments.isEmpty()) {
            v.add("no Deployment rendered");
        }
        for (Deployment d : deployments) {
            String id = Manifests.id(d);
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
            if (selector == null || !labels(d.getSpec().getTemplate()).entrySet().containsAll(selector.entrySet())) {
                v.add(id + ": selector " + selector + " does not match its pod template's labels");
            }
            boolean podNonRoot = pod.getSecurityContext() != null
                    && Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot());
            for (Container c : pod.getContainers()) {
                String cid = id + " container " + c.getName();
                v.addAll(probe(cid, "liveness", c.getLivenessProbe(), LIVE, c));
                v.addAll(probe(cid, "readiness", c.getReadinessProbe(), READY, c));
                v.addAll(resources(cid, c.getResources()));
                var sc = c.getSecurityContext();
                boolean nonRoot = podNonRoot || (sc != null && Boolean.TRUE.equals(sc.getRunAsNonRoot()));
                if (!nonRoot) {
                    v.add(cid + ": not runAsNonRoot");
                }
                if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                    v.add(cid + ": allowPrivilegeEscalation is not false");
                }
                if (sc == null || sc.getCapabilities() == null || sc.getCapabilities().getDrop() == null
                        || !sc.getCapabilities().getDrop().contains("ALL")) {
                    v.add(cid + ": capabilities do not drop ALL");
                }
                if (c.getImage() == null || !c.getImage().matches(".+:[^/]+") || c.getImage().endsWith(":latest")) {
                    v.add(cid + ": image " + c.getImage() + " has no fixed tag");
                }
            }
            long grace = Optional.ofNullable(pod.getTerminationGracePeriodSeconds()).orElse(30L);
            long drain = drainSeconds(objects, d);
            if (grace <= drain) {
                v.add(id + ": terminationGracePeriodSeconds " + grace + " is not longer than the drain (" + drain + " s)");
            }
        }
        return v;
    }

    /** The drain a pod needs before exit: preStop sleep plus PARLEY_CHAT_DRAIN_WINDOW (from its env or ConfigMaps). */
    static long drainSeconds(List<HasMetadata> objects, Deployment d) {
        long total = 0;
        for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
            if (c.getLifecycle() != null && c.getLifecycle().getPreStop() != null
                    && c.getLifecycle().getPreStop().getSleep() != null) {
                total += c.getLifecycle().getPreStop().getSleep().getSeconds();
            }
            String window = env(objects, c).get("PARLEY_CHAT_DRAIN_WINDOW");
            if (window != null) {
                total += parseDuration(window).toSeconds();
            }
        }
        return total;
    }

    static Duration parseDuration(String text) {
        String t = text.trim().toUpperCase();
        if (t.endsWith("MS")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.matches("[0-9]+[SMHD]")) {
            return t.endsWith("D") ? Duration.ofDays(Long.parseLong(t.substring(0, t.length() - 1)))
                    : Duration.parse("PT" + t);
        }
        return Duration.parse(t);
    }

    /** The environment a container sees: literal env plus the data of its envFrom ConfigMaps (rendered ones). */
    static Map<String, String> env(List<HasMetadata> objects, Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        if (c.getEnvFrom() != null) {
            c.getEnvFrom().stream().filter(e -> e.getConfigMapRef() != null).forEach(e -> Manifests.all(objects, ConfigMap.class)
                    .stream().filter(cm -> cm.getMetadata().getName().equals(e.getConfigMapRef().getName()))
                    .forEach(cm -> env.putAll(Optional.ofNullable(cm.getData()).orElse(Map.of()))));
        }
        if (c.getEnv() != null) {
            for (EnvVar e : c.getEnv()) {
                env.put(e.getName(), e.getValue() != null ? e.getValue() : "<from " + describe(e) + ">");
            }
        }
        return env;
    }

    private static String describe(EnvVar e) {
        if (e.getValueFrom() == null) {
            return "nothing";
        }
        if (e.getValueFrom().getSecretKeyRef() != null) {
            return "secret";
        }
        return "reference";
    }

    private static List<String> probe(String cid, String kind, Probe probe, String path, Container c) {
        if (probe == null || probe.getHttpGet() == null) {
            return List.of(cid + ": no " + kind + " probe");
        }
        List<String> v = new ArrayList<>();
        if (!path.equals(probe.getHttpGet().getPath())) {
            v.add(cid + ": " + kind + " probe on " + probe.getHttpGet().getPath() + ", not " + path);
        }
        var port = probe.getHttpGet().getPort();
        boolean declared = c.getPorts() != null && c.getPorts().stream().anyMatch(p -> port != null
                && (Objects.equals(port.getStrVal(), p.getName()) || Objects.equals(port.getIntVal(), p.getContainerPort())));
        if (!declared) {
            v.add(cid + ": " + kind + " probe port " + port + " is not a container port");
        }
        return v;
    }

    private static List<String> resources(String cid, ResourceRequirements r) {
        List<String> v = new ArrayList<>();
        if (r == null || r.getRequests() == null || !r.getRequests().containsKey("cpu") || !r.getRequests().containsKey("memory")) {
            v.add(cid + ": no cpu and memory requests");
        }
        if (r == null || r.getLimits() == null || !r.getLimits().containsKey("memory")) {
            v.add(cid + ": no memory limit");
        }
        return v;
    }

    /**
     * No secret value in a manifest: a Secret is rendered only as the marked development default, and an
     * environment variable whose name says secret comes from a Secret (never a literal or a ConfigMap).
     */
    static List<String> noPlainSecrets(List<HasMetadata> objects) {
        List<String> v = new ArrayList<>();
        for (Secret s : Manifests.all(objects, Secret.class)) {
            var annotations = Optional.ofNullable(s.getMetadata().getAnnotations()).orElse(Map.of());
            if (!"true".equals(annotations.get("parley.io/dev-secret"))) {
                v.add(Manifests.id(s) + ": a Secret with values in the chart that is not the marked development default");
            }
        }
        for (ConfigMap cm : Manifests.all(objects, ConfigMap.class)) {
            Optional.ofNullable(cm.getData()).orElse(Map.of()).keySet().stream().filter(k -> SECRET_NAME.matcher(k).matches())
                    .forEach(k -> v.add(Manifests.id(cm) + ": " + k + " looks secret but is in a ConfigMap"));
        }
        for (PodOwner owner : podOwners(objects)) {
            PodSpec pod = owner.template().getSpec();
            List<Container> containers = new ArrayList<>(pod.getContainers());
            if (pod.getInitContainers() != null) {
                containers.addAll(pod.getInitContainers());
            }
            for (Container c : containers) {
                if (c.getEnv() == null) {
                    continue;
                }
                for (EnvVar e : c.getEnv()) {
                    if (SECRET_NAME.matcher(e.getName()).matches()
                            && (e.getValueFrom() == null || e.getValueFrom().getSecretKeyRef() == null)) {
                        v.add(Manifests.id(owner.object()) + " container " + c.getName() + ": " + e.getName()
                                + " is not taken from a Secret");
                    }
                }
            }
        }
        return v;
    }

    record PodOwner(HasMetadata object, PodTemplateSpec template) {
    }

    static List<PodOwner> podOwners(List<HasMetadata> objects) {
        List<PodOwner> owners = new ArrayList<>();
        Manifests.all(objects, Deployment.class).forEach(d -> owners.add(new PodOwner(d, d.getSpec().getTemplate())));
        Manifests.all(objects, StatefulSet.class).forEach(s -> owners.add(new PodOwner(s, s.getSpec().getTemplate())));
        Manifests.all(objects, Job.class).forEach(j -> owners.add(new PodOwner(j, j.getSpec().getTemplate())));
        return owners;
    }

    private static Map<String, String> labels(PodTemplateSpec t) {
        return Optional.ofNullable(t.getMetadata().getLabels()).orElse(Map.of());
    }

    /** Every Service selects the pods of a Deployment or StatefulSet (and of nothing else), on a port they declare. */
    static List<String> servicesSelectWorkloads(List<HasMetadata> objects) {
        List<String> v = new ArrayList<>();
        List<PodOwner> owners = podOwners(objects);
        for (Service s : Manifests.all(objects, Service.class)) {
            Map<String, String> selector = s.getSpec().getSelector();
            if (selector == null || selector.isEmpty()) {
                v.add(Manifests.id(s) + ": no selector");
                continue;
            }
            List<PodOwner> selected = owners.stream()
                    .filter(o -> labels(o.template()).entrySet().containsAll(selector.entrySet())).toList();
            List<PodOwner> workloads = selected.stream().filter(o -> !(o.object() instanceof Job)).toList();
            if (workloads.isEmpty()) {
                v.add(Manifests.id(s) + ": selector " + selector + " selects no Deployment or StatefulSet");
                continue;
            }
            if (workloads.size() != selected.size()) {
                v.add(Manifests.id(s) + ": selector " + selector + " also selects a Job's pods");
            }
            for (ServicePort port : s.getSpec().getPorts()) {
                var target = port.getTargetPort();
                boolean found = workloads.stream().flatMap(o -> o.template().getSpec().getContainers().stream())
                        .filter(c -> c.getPorts() != null).flatMap(c -> c.getPorts().stream())
                        .anyMatch(p -> target == null ? Objects.equals(p.getContainerPort(), port.getPort())
                                : Objects.equals(target.getStrVal(), p.getName()) || Objects.equals(target.getIntVal(), p.getContainerPort()));
                if (!found) {
                    v.add(Manifests.id(s) + ": target port " + target + " is no container port of the selected pods");
                }
            }
        }
        return v;
    }

    /** ConfigMaps in envFrom, wait-for Jobs, HPA targets and PDB / NetworkPolicy selectors point at rendered objects. */
    static List<String> referencesResolve(List<HasMetadata> objects) {
        List<String> v = new ArrayList<>();
        for (PodOwner owner : podOwners(objects)) {
            PodSpec pod = owner.template().getSpec();
            for (Container c : pod.getContainers()) {
                if (c.getEnvFrom() != null) {
                    c.getEnvFrom().stream().filter(e -> e.getConfigMapRef() != null).map(e -> e.getConfigMapRef().getName())
                            .filter(n -> Manifests.all(objects, ConfigMap.class).stream().noneMatch(cm -> cm.getMetadata().getName().equals(n)))
                            .forEach(n -> v.add(Manifests.id(owner.object()) + ": envFrom ConfigMap " + n + " is not rendered"));
                }
            }
            if (pod.getInitContainers() != null) {
                for (Container init : pod.getInitContainers()) {
                    List<String> args = Optional.ofNullable(init.getArgs()).orElse(List.of());
                    if (args.size() == 2 && args.get(0).equals("job") && Manifests.all(objects, Job.class).stream()
                            .noneMatch(j -> j.getMetadata().getName().equals(args.get(1)))) {
                        v.add(Manifests.id(owner.object()) + ": waits for Job " + args.get(1) + ", which is not rendered");
                    }
                }
            }
        }
        for (HorizontalPodAutoscaler h : Manifests.all(objects, HorizontalPodAutoscaler.class)) {
            String target = h.getSpec().getScaleTargetRef().getName();
            if (Manifests.all(objects, Deployment.class).stream().noneMatch(d -> d.getMetadata().getName().equals(target))) {
                v.add(Manifests.id(h) + ": scales " + target + ", which is not rendered");
            }
        }
        for (PodDisruptionBudget p : Manifests.all(objects, PodDisruptionBudget.class)) {
            if (selectsNothing(objects, p.getSpec().getSelector().getMatchLabels())) {
                v.add(Manifests.id(p) + ": selects no pods");
            }
        }
        for (NetworkPolicy n : Manifests.all(objects, NetworkPolicy.class)) {
            if (selectsNothing(objects, n.getSpec().getPodSelector().getMatchLabels())) {
                v.add(Manifests.id(n) + ": selects no pods");
            }
        }
        return v;
    }

    private static boolean selectsNothing(List<HasMetadata> objects, Map<String, String> selector) {
        return selector == null || selector.isEmpty() || podOwners(objects).stream()
                .noneMatch(o -> labels(o.template()).entrySet().containsAll(selector.entrySet()));
    }

    /** What production adds: no Secret at all, PDBs and NetworkPolicies for every service, an HPA, an Ingress. */
    static List<String> production(List<HasMetadata> objects) {
        List<String> v = new ArrayList<>();
        if (!Manifests.all(objects, Secret.class).isEmpty()) {
            v.add("production renders a Secret: its credentials must come from existing Secrets");
        }
        for (Deployment d : Manifests.all(objects, Deployment.class)) {
            Map<String, String> podLabels = labels(d.getSpec().getTemplate());
            if (Manifests.all(objects, PodDisruptionBudget.class).stream()
                    .noneMatch(p -> podLabels.entrySet().containsAll(p.getSpec().getSelector().getMatchLabels().entrySet()))) {
                v.add(Manifests.id(d) + ": no PodDisruptionBudget");
            }
            if (Manifests.all(objects, NetworkPolicy.class).stream()
                    .noneMatch(p -> podLabels.entrySet().containsAll(p.getSpec().getPodSelector().getMatchLabels().entrySet()))) {
                v.add(Manifests.id(d) + ": no NetworkPolicy");
            }
        }
        if (Manifests.all(objects, HorizontalPodAutoscaler.class).stream()
                .noneMatch(h -> h.getSpec().getScaleTargetRef().getName().equals("chat-service"))) {
            v.add("no HorizontalPodAutoscaler for chat-service");
        }
        if (Manifests.ofKind(objects, "Ingress").isEmpty()) {
            v.add("no Ingress");
        }
        return v;
    }
}
