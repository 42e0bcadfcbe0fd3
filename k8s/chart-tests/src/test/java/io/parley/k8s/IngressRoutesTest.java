package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingress sends every REST operation of the four services' OpenAPI documents (docs/openapi/*.json, which each
 * service's OpenApiDocumentTest keeps equal to its /q/openapi) to the service that serves it, as ingress-nginx
 * matches paths ({@link IngressNginxRouter}). A new endpoint lands in its document, and then here: it cannot be
 * forgotten in the routes. Some operations are not public on purpose and must reach no service through the
 * ingress; the chat page and its files reach chat-service; Quarkus' /q/ endpoints reach nothing.
 */
class IngressRoutesTest {

    private static final Set<String> SERVICES = Set.of("auth-service", "id-service", "chat-service", "notify-service");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

    /** Operations reached only inside the cluster (service-to-service, or one pod at a time by port-forward). */
    static boolean notPublic(String service, String path) {
        return service.equals("id-service") // chat-service's id blocks: internal, never behind the ingress
                || path.startsWith("/api/v1/admin/node") // one chat pod's load: meaningless on a random pod
                || (service.equals("auth-service") && path.startsWith("/api/v1/admin/")); // the operator's admin API
    }

    record Operation(String service, String method, String path) {
        /** A request path for the operation: every path parameter becomes a plain value. */
        String requestPath() {
            return path.replaceAll("\\{[^}/]+}", "42");
        }

        @Override
        public String toString() {
            return method + " " + path + " (" + service + ")";
        }
    }

    @TempDir
    Path temp;

    static Path openApiDir() {
        return ChartRenderer.k8sDir().getParent().resolve("docs/openapi");
    }

    static List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String service : SERVICES) {
            Path file = openApiDir().resolve(service + ".json");
            try {
                JsonNode paths = mapper.readTree(Files.readString(file)).path("paths");
                for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> path = it.next();
                    path.getValue().fieldNames().forEachRemaining(method -> {
                        if (METHODS.contains(method) && !path.getKey().startsWith("/q/")) {
                            operations.add(new Operation(service, method.toUpperCase(), path.getKey()));
                        }
                    });
                }
            } catch (IOException e) {
                throw new UncheckedIOException(file + " (written by the service's OpenApiDocumentTest)", e);
            }
        }
        return operations;
    }

    /** The chat page's files: chat-service's static resources and the JavaScript client it serves beside them. */
    static List<String> chatPageFiles() throws IOException {
        Path root = ChartRenderer.k8sDir().getParent();
        List<String> files = new ArrayList<>(List.of("/", "/parley-client.js"));
        try (Stream<Path> list = Files.list(root.resolve("chat-service/src/main/resources/META-INF/resources"))) {
            list.map(p -> "/" + p.getFileName()).sorted().forEach(files::add);
        }
        return files;
    }

    /** What is wrong with the ingress: each line an operation or file sent elsewhere than it should go. */
    static List<String> misroutes(Ingress ingress) throws IOException {
        IngressNginxRouter router = new IngressNginxRouter(ingress);
        List<String> problems = new ArrayList<>();
        for (Operation op : operations()) {
            Optional<String> reached = router.serviceFor(op.requestPath());
            Optional<String> expected = notPublic(op.service(), op.path()) ? Optional.empty() : Optional.of(op.service());
            if (!reached.equals(expected)) {
                problems.add(op + " → " + reached.orElse("no service") + ", should reach " + expected.orElse("no service"));
            }
        }
        for (String file : chatPageFiles()) {
            router.serviceFor(file).filter("chat-service"::equals).ifPresentOrElse(s -> { },
                    () -> problems.add("chat page " + file + " → " + router.serviceFor(file).orElse("no service")));
        }
        for (String internal : List.of("/q/metrics", "/q/health/ready", "/q/openapi")) {
            router.serviceFor(internal).ifPresent(s -> problems.add(internal + " → " + s + ", should reach no service"));
        }
        return problems;
    }

    @Test
    void shouldReadEveryServicesOperations() {
        List<Operation> operations = operations();
        for (String service : SERVICES) {
            assertTrue(operations.stream().filter(op -> op.service().equals(service)).count() >= 4,
                    service + " has operations in " + openApiDir());
        }
    }

    @Test
    void shouldSendEveryOperationToItsServiceWithTheProductionValues() throws IOException {
        assertEquals(List.of(), misroutes(Manifests.named(Renders.prod(), Ingress.class, "parley")));
    }

    @Test
    void shouldSendEveryOperationToItsServiceWithTheDefaultRoutes() throws IOException {
        Ingress ingress = Manifests.named(Renders.with(Map.of("ingress.enabled", true)), Ingress.class, "parley");
        assertEquals(List.of(), misroutes(ingress));
    }

    @Test
    void shouldNameTheOperationsTheOldRoutesSentToTheWrongService() throws IOException {
        // the routes before issue 23: chat's access, grants and in-app notifications went to auth-service's
        // /api/v1/apps, notify's preferences and deliveries fell through "/" to chat-service
        Path oldRoutes = temp.resolve("old-routes.yaml");
        Files.writeString(oldRoutes, """
                ingress:
                  enabled: true
                  routes:
                    - {path: /ws, service: chat}
                    - {path: /api/v1/conversations, service: chat}
                    - {path: /api/v1/groups, service: chat}
                    - {path: /api/v1/contacts, service: chat}
                    - {path: "/api/v1/apps/[^/]+/topics", service: chat}
                    - {path: /api/v1/users, service: auth}
                    - {path: /api/v1/sessions, service: auth}
                    - {path: /api/v1/tokens, service: auth}
                    - {path: /api/v1/apps, service: auth}
                    - {path: /api/v1/channels, service: notify}
                    - {path: /api/v1/notifications, service: notify}
                    - {path: /, service: chat}
                """);
        Ingress ingress = Manifests.named(Manifests.parse(ChartRenderer.render(Renders.chart(), List.of(oldRoutes), Map.of())),
                Ingress.class, "parley");
        String problems = String.join("\n", misroutes(ingress));
        for (String expected : List.of(
                "PUT /api/v1/apps/{appId}/access (chat-service) → auth-service",
                "POST /api/v1/apps/{appId}/grants (chat-service) → auth-service",
                "POST /api/v1/apps/{appId}/notifications (chat-service) → auth-service",
                "GET /api/v1/preferences (notify-service) → chat-service",
                "GET /api/v1/deliveries (notify-service) → chat-service",
                "GET /api/v1/ids (id-service) → chat-service",
                "/q/metrics → chat-service")) {
            assertTrue(problems.contains(expected), () -> "expected «" + expected + "» in:\n" + problems);
        }
    }
}
