package io.parley.notify.sender;

/**
 * The push provider says the device token or subscription is no longer valid (FCM {@code UNREGISTERED}/404, APNs
 * 410 or {@code BadDeviceToken}, Web Push 404/410): the registration is removed and the delivery is dead.
 */
public final class PushTargetGone extends SendFailure {

    public PushTargetGone(String message) {
        super(message, true, 0);
    }
}
