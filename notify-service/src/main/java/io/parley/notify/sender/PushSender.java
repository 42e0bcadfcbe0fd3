package io.parley.notify.sender;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** One door to the three push services, by provider name ({@code fcm}, {@code apns}, {@code webpush}). */
@ApplicationScoped
public class PushSender {

    private final FcmSender fcm;
    private final ApnsSender apns;
    private final WebPushSender webPush;

    public PushSender(FcmSender fcm, ApnsSender apns, WebPushSender webPush) {
        this.fcm = fcm;
        this.apns = apns;
        this.webPush = webPush;
    }

    public boolean enabled(String provider) {
        return switch (provider) {
            case "fcm" -> fcm.enabled();
            case "apns" -> apns.enabled();
            case "webpush" -> webPush.enabled();
            default -> false;
        };
    }

    public Optional<String> vapidPublicKey() {
        return webPush.publicKey();
    }

    /**
     * Sends one push; fails with {@link PushTargetGone} when the provider says the token is no longer valid, with a
     * {@link SendFailure} otherwise (permanent, or with the provider's {@code Retry-After}).
     */
    public Uni<Void> send(String provider, String token, String p256dh, String auth, PushMessage message) {
        return switch (provider) {
            case "fcm" -> fcm.send(token, message);
            case "apns" -> apns.send(token, message);
            case "webpush" -> webPush.send(token, p256dh, auth, message);
            default -> Uni.createFrom().failure(SendFailure.permanent("unknown push provider " + provider));
        };
    }
}
