package io.parley.notify.delivery;

import io.parley.notify.config.NotifyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Bounds the calls in flight to one endpoint (host:port, or the SMTP server), so a slow or dead endpoint holds at
 * most {@code perEndpointConcurrency} slots and every other endpoint keeps its own.
 */
@ApplicationScoped
public class EndpointLimiter {

    private final int permits;
    private final Map<String, Semaphore> byEndpoint = new ConcurrentHashMap<>();

    public EndpointLimiter(NotifyConfig config) {
        this.permits = Math.max(1, config.delivery().perEndpointConcurrency());
    }

    public boolean tryAcquire(String endpoint) {
        return byEndpoint.computeIfAbsent(endpoint, e -> new Semaphore(permits)).tryAcquire();
    }

    public void release(String endpoint) {
        Semaphore s = byEndpoint.get(endpoint);
        if (s != null) {
            s.release();
        }
    }
}
