package io.parley.testsupport.openapi;

import java.util.Locale;

/**
 * One REST operation, {@code GET /api/v1/groups/{}}: the method and the path with every path parameter written
 * {@code {}} (protocol.md says {@code {gid}} where the code says {@code {id}}) and without a query.
 */
public record Route(String method, String path) implements Comparable<Route> {

    public static Route of(String method, String path) {
        return new Route(method.toUpperCase(Locale.ROOT), normalisePath(path));
    }

    static String normalisePath(String path) {
        int query = path.indexOf('?');
        String p = query < 0 ? path : path.substring(0, query);
        p = p.replaceAll("\\{[^}/]*}", "{}");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    @Override
    public int compareTo(Route other) {
        int byPath = path.compareTo(other.path);
        return byPath != 0 ? byPath : method.compareTo(other.method);
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
