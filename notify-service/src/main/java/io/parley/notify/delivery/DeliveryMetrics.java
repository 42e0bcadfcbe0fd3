package io.parley.notify.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/** Counters by channel type: {@code parley_notify_{sent,failed,dead,relayed}_total{channel=…}}. */
@ApplicationScoped
public class DeliveryMetrics {

    private final MeterRegistry registry;

    public DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void sent(Delivery d) {
        count("parley.notify.sent", "deliveries that went through", d.channelType());
        if (Delivery.RELAY.equals(d.kind())) {
            count("parley.notify.relayed", "relay digests that went through", d.channelType());
        }
    }

    public void failed(Delivery d) {
        count("parley.notify.failed", "failed attempts (retried or dead)", d.channelType());
    }

    public void dead(Delivery d) {
        count("parley.notify.dead", "deliveries that became dead letters", d.channelType());
    }

    private void count(String name, String description, String channel) {
        Counter.builder(name).description(description).tag("channel", channel).register(registry).increment();
    }
}
