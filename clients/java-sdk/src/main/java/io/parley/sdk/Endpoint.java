package io.parley.sdk;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A service's base address (which may carry a path prefix, e.g. behind an ingress) and the paths below it. */
record Endpoint(String service, String base) {

    static Endpoint of(String service, String url) {
        if (url == null) {
            return new Endpoint(service, null);
        }
        URI parsed = URI.create(url);
        if (parsed.getScheme() == null || parsed.getHost() == null) {
            throw new IllegalArgumentException(service + " URL must be absolute, e.g. http://localhost:8080: " + url);
        }
        return new Endpoint(service, url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    /** {@code path} below the base; its variable parts must already be {@link #segment encoded}. */
    URI resolve(String path) {
        if (base == null) {
            throw new IllegalStateException("no " + service + " URL configured (ParleyClient.builder()."
                    + service.replace("-service", "") + "Url(...))");
        }
        return URI.create(base + path);
    }

    /**
     * One path segment, percent-encoded — every character but unreserved ones, so a {@code /} in a topic name
     * travels as {@code %2F} (the contract's rule) and a space as {@code %20}.
     */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
