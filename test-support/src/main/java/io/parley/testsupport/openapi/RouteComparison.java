package io.parley.testsupport.openapi;

import java.util.Set;
import java.util.TreeSet;

/** Where docs/protocol.md and a service's OpenAPI document disagree: operations one has and the other lacks. */
public record RouteComparison(Set<Route> undocumented, Set<Route> notServed) {

    public static RouteComparison of(Set<Route> documented, Set<Route> served) {
        Set<Route> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        Set<Route> notServed = new TreeSet<>(documented);
        notServed.removeAll(served);
        return new RouteComparison(undocumented, notServed);
    }

    public boolean agree() {
        return undocumented.isEmpty() && notServed.isEmpty();
    }

    @Override
    public String toString() {
        return agree() ? "protocol.md and the OpenAPI document agree"
                : "in the OpenAPI document but not in protocol.md: " + undocumented
                + "; in protocol.md but not in the OpenAPI document: " + notServed;
    }
}
