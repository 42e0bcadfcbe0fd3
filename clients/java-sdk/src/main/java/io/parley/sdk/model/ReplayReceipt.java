package io.parley.sdk.model;

/** A dead letter sent again: {@code id} of the delivery, {@code status} {@code retrying}. */
public record ReplayReceipt(String id, String status) {
}
