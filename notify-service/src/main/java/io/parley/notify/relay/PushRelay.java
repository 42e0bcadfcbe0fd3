package io.parley.notify.relay;

import io.parley.common.redis.OutboxEvent;
import io.parley.notify.delivery.Delivery;
import io.parley.notify.push.PushDevice;
import io.parley.notify.push.PushTargets;
import io.parley.notify.push.PushPlanner;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Messages to offline devices become pushes at once (no digest window: a phone should ring now), one per registered,
 * unmuted device without an open connection (the event names the connected ones of a recipient who is online),
 * written with the batch's events in one transaction so a crash loses none and a repeated entry adds none ({@link PushPlanner#messageKey}). Push does not depend on the relay preference (that one is about
 * email, webhook and wechat); muting a device is how a user silences it.
 */
@ApplicationScoped
public class PushRelay {

    private final PushTargets devices;
    private final PushPlanner planner;

    public PushRelay(PushTargets devices, PushPlanner planner) {
        this.devices = devices;
        this.planner = planner;
    }

    public List<Delivery.New> plan(List<OutboxEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        Set<Long> users = new LinkedHashSet<>();
        events.forEach(e -> users.add(e.user()));
        Map<Long, List<PushDevice>> byUser = devices.liveDevicesOf(users);
        Instant now = Instant.now();
        List<Delivery.New> rows = new ArrayList<>();
        for (OutboxEvent event : events) {
            for (PushDevice device : PushPlanner.receiving(byUser.getOrDefault(event.user(), List.of()), now)) {
                if (event.recipientOnline() && event.connectedDevices().contains(device.deviceId())) {
                    continue; // this device has an open connection: it got the message there
                }
                String payload = planner.forMessage(event, device.preview()).toJson().put("user", event.user()).encode();
                rows.add(new Delivery.New(PushPlanner.messageKey(device, event.messageId()), Delivery.RELAY, null, null,
                        event.user(), Delivery.PUSH, device.id(), Delivery.PENDING, payload));
            }
        }
        return rows;
    }
}
