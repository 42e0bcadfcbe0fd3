package io.parley.k8s;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which Service ingress-nginx sends a request path to, as its documentation describes path matching
 * (kubernetes.github.io/ingress-nginx/user-guide/ingress-path-matching/): with {@code use-regex} (or
 * {@code rewrite-target}) every path of the host becomes a case-insensitive regex location {@code ~* "^<path>"},
 * written longest path first, and the first that matches wins; without it, {@code Exact} paths match whole,
 * {@code Prefix} paths by whole segments and {@code ImplementationSpecific} ones as nginx prefix locations, the
 * longest match winning. One host, one Ingress: what this chart renders.
 */
final class IngressNginxRouter {

    private static final String USE_REGEX = "nginx.ingress.kubernetes.io/use-regex";
    private static final String REWRITE_TARGET = "nginx.ingress.kubernetes.io/rewrite-target";

    private record Location(String path, String pathType, String service) {
    }

    private final boolean regex;
    private final List<Location> locations = new ArrayList<>();

    IngressNginxRouter(Ingress ingress) {
        Map<String, String> annotations = Optional.ofNullable(ingress.getMetadata().getAnnotations()).orElse(Map.of());
        regex = "true".equals(annotations.get(USE_REGEX)) || annotations.containsKey(REWRITE_TARGET);
        for (HTTPIngressPath path : ingress.getSpec().getRules().get(0).getHttp().getPaths()) {
            locations.add(new Location(path.getPath(), path.getPathType(), path.getBackend().getService().getName()));
        }
        // stable sort: paths of equal length keep their order, as in the nginx template
        locations.sort(Comparator.comparingInt((Location l) -> l.path().length()).reversed());
    }

    /** The Service name the request path reaches, or empty when no location matches (the default backend's 404). */
    Optional<String> serviceFor(String requestPath) {
        if (regex) {
            return locations.stream()
                    .filter(l -> Pattern.compile("^" + l.path(), Pattern.CASE_INSENSITIVE).matcher(requestPath).lookingAt())
                    .map(Location::service).findFirst();
        }
        return locations.stream().filter(l -> matchesPlain(l, requestPath)).map(Location::service).findFirst();
    }

    private static boolean matchesPlain(Location location, String requestPath) {
        String path = location.path();
        return switch (location.pathType()) {
            case "Exact" -> requestPath.equals(path);
            case "Prefix" -> {
                String prefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
                yield prefix.isEmpty() || requestPath.equals(prefix) || requestPath.startsWith(prefix + "/");
            }
            default -> requestPath.startsWith(path);
        };
    }
}
