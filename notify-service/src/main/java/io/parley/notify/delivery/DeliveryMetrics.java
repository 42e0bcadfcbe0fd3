package io.parley.notify.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.notify.channel.ChannelType;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.stream.Stream;

/**
 * Counters by channel type and app: {@code parley_notify_{sent,failed,dead,relayed}_total{channel=…,app=…}}; {@code app}
 * is the app whose notification it is, {@code ""} for relays of chat messages (no app's). Bounded by apps and channels.
 */
@ApplicationScoped
@Startup // created at start so every channel's series exists at 0 before the first delivery (alerts on increase())
public class DeliveryMetrics {

    /** What {@code Delivery.channelType()} can be: the bindable channel types and the in-app inbox. */
    private static final List<String> CHANNELS = Stream.concat(Stream.of(ChannelType.values()).map(ChannelType::wire),
            Stream.of(Delivery.INAPP)).toList();

    private final MeterRegistry registry;

    public DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
        // every series exists from the start at 0: an alert on increase() misses the first dead letter of a
        // series that appears only when it is counted (docs/operations.md, ParleyDeadLettersGrowing)
        for (String channel : CHANNELS) {
            counter("parley.notify.sent", "deliveries that went through", channel, NO_APP);
            counter("parley.notify.failed", "failed attempts (retried or dead)", channel, NO_APP);
            counter("parley.notify.dead", "deliveries that became dead letters", channel, NO_APP);
        }
    }

    /** The app label of relays (chat messages to offline users belong to no app). */
    private static final String NO_APP = "";

    public void sent(Delivery d) {
        count("parley.notify.sent", "deliveries that went through", d);
        if (Delivery.RELAY.equals(d.kind())) {
            count("parley.notify.relayed", "relay digests that went through", d);
        }
    }

    public void failed(Delivery d) {
        count("parley.notify.failed", "failed attempts (retried or dead)", d);
    }

    public void dead(Delivery d) {
        count("parley.notify.dead", "deliveries that became dead letters", d);
    }

    private void count(String name, String description, Delivery d) {
        counter(name, description, d.channelType(), d.appId() == null ? NO_APP : d.appId()).increment();
    }

    private Counter counter(String name, String description, String channel, String app) {
        return Counter.builder(name).description(description).tag("channel", channel).tag("app", app)
                .register(registry);
    }
}
