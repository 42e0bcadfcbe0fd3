package io.parley.notify.delivery;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What the API shows of a delivery; times are epoch milliseconds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryView(String id, String notification, String kind, long user, String channel, String status,
                           int attempts, String lastError, Long updatedAt) {

    public static DeliveryView of(Delivery d) {
        return new DeliveryView(Long.toString(d.id()), d.notificationId(), d.kind(), d.userId(), d.channelType(),
                d.status(), d.attempts(), d.lastError(), d.updatedAt() == null ? null : d.updatedAt().toEpochMilli());
    }
}
