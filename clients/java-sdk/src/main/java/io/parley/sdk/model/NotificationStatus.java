package io.parley.sdk.model;

import java.util.List;

/** A notification and where each of its deliveries stands ({@code createdAt} in epoch milliseconds). */
public record NotificationStatus(String id, String title, long createdAt, List<Delivery> deliveries) {
}
