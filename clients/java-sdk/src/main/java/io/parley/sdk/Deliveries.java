package io.parley.sdk;

import io.parley.sdk.model.Delivery;
import io.parley.sdk.model.ReplayReceipt;
import java.util.Arrays;
import java.util.List;

/**
 * The deliveries of the app's notify-service notifications ({@code {notify}/api/v1/deliveries}), and replaying dead
 * letters.
 */
public final class Deliveries {

    private final AppApi api;
    private final Endpoint notify;

    Deliveries(AppApi api, Endpoint notify) {
        this.api = api;
        this.notify = notify;
    }

    /** The newest 100 deliveries of the app's notifications with this status (a {@code Delivery} constant). */
    public List<Delivery> withStatus(String status) {
        Delivery[] found = api.send("GET", notify.resolve("/api/v1/deliveries?status=" + Endpoint.segment(status)),
                null, true, Delivery[].class);
        return List.copyOf(Arrays.asList(found));
    }

    /** The newest 100 dead letters. */
    public List<Delivery> dead() {
        return withStatus(Delivery.DEAD);
    }

    /**
     * Sends a dead letter again with a fresh attempt budget. {@code ConflictException} if it is not dead (so a
     * repeat after success would be refused: sent again only on 429 or no connection).
     */
    public ReplayReceipt replay(String deliveryId) {
        return api.send("POST", notify.resolve("/api/v1/deliveries/" + Endpoint.segment(deliveryId) + "/replay"),
                null, false, ReplayReceipt.class);
    }
}
