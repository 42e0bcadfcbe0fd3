package io.parley.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;

/** Rendered YAML as typed fabric8 Kubernetes objects. */
final class Manifests {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** Kinds without a fabric8 model class here (custom resources): they parse as GenericKubernetesResource. */
    static final Set<String> CUSTOM_KINDS = Set.of("ServiceMonitor", "PrometheusRule");

    private Manifests() {
    }

    /** Every document of a multi-document YAML stream, typed by apiVersion and kind. */
    static List<HasMetadata> parse(String yaml) {
        Object parsed = SERIALIZATION.unmarshal(yaml);
        List<HasMetadata> objects = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            for (Object item : list) {
                if (item != null) {
                    objects.add((HasMetadata) item);
                }
            }
        } else if (parsed != null) {
            objects.add((HasMetadata) parsed);
        }
        return objects;
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static List<HasMetadata> ofKind(List<HasMetadata> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
        return all(objects, type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    static String id(HasMetadata object) {
        return object.getKind() + "/" + object.getMetadata().getName();
    }

    /**
     * Problems of typing: a built-in kind that did not map to its model class, and every field the model does
     * not know (a typo such as {@code livenesProbe} parses silently into "additional properties").
     */
    static List<String> typingProblems(HasMetadata object) {
        List<String> problems = new ArrayList<>();
        if (object instanceof GenericKubernetesResource && !CUSTOM_KINDS.contains(object.getKind())) {
            problems.add(id(object) + ": " + object.getApiVersion() + " " + object.getKind() + " is not a known Kubernetes type");
            return problems;
        }
        if (!(object instanceof GenericKubernetesResource)) {
            unknownFields(object, id(object), problems, Collections.newSetFromMap(new IdentityHashMap<>()));
        }
        return problems;
    }

    private static void unknownFields(Object node, String path, List<String> problems, Set<Object> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                unknownFields(e.getValue(), path + "." + e.getKey(), problems, seen);
            }
            return;
        }
        if (!(node instanceof KubernetesResource) || !node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = getter.getName();
            if (!name.startsWith("get") || name.equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (name.equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet());
                }
                continue;
            }
            unknownFields(value, path + "." + Character.toLowerCase(name.charAt(3)) + name.substring(4), problems, seen);
        }
    }
}
