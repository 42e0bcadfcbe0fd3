package io.parley.notify.push;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.common.crypto.Secrets;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.notify.config.NotifyConfig;
import io.parley.notify.sender.EgressPolicy;
import io.parley.notify.sender.PushKeys;
import io.parley.notify.sender.PushSender;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Registers, lists and removes a user's push devices, validating each provider's token: an FCM registration token,
 * an APNs device token (hex), or a Web Push subscription ({@code {endpoint, keys:{p256dh, auth}}}) whose endpoint
 * passes the egress policy and whose key is a P-256 point. A provider the deployment has not configured is refused.
 * Blocking (JDBC): worker threads only.
 */
@ApplicationScoped
public class PushDeviceService {

    private static final Pattern FCM_TOKEN = Pattern.compile("[A-Za-z0-9_:\\-.]+");
    private static final Pattern APNS_TOKEN = Pattern.compile("([0-9a-fA-F]{2}){32,100}");
    private static final int MAX_DEVICE_ID_CHARS = 128;

    /** What a registration asks for. {@code token} is a string (FCM, APNs) or the Web Push subscription object. */
    public record Registration(String provider, JsonNode token, Long mutedUntil, String preview) {
    }

    private final PushDeviceRepository devices;
    private final PushSender senders;
    private final EgressPolicy egress;
    private final NotifyConfig.Push config;

    public PushDeviceService(PushDeviceRepository devices, PushSender senders, EgressPolicy egress, NotifyConfig config) {
        this.devices = devices;
        this.senders = senders;
        this.egress = egress;
        this.config = config.push();
    }

    /** Registers the calling device; the registration ends with {@code sessionId} (sign-out, account deletion). */
    public PushDevice register(long user, String deviceId, String sessionId, Registration request) {
        if (deviceId == null || deviceId.isBlank() || deviceId.length() > MAX_DEVICE_ID_CHARS) {
            throw ApiException.invalid("the token names no device (or a device id over " + MAX_DEVICE_ID_CHARS
                    + " characters); sign in with a deviceId to register for push");
        }
        if (request == null) {
            throw ApiException.invalid("a JSON body {provider, token} is required");
        }
        PushProvider provider = PushProvider.parse(request.provider());
        if (!senders.enabled(provider.wire())) {
            throw ApiException.invalid(provider.wire() + " push is not configured on this deployment");
        }
        Optional<PushDevice> existing = devices.ofDevice(user, deviceId);
        Instant mutedUntil = request.mutedUntil() == null
                ? existing.map(PushDevice::mutedUntil).orElse(null)
                : request.mutedUntil() <= 0 ? null : Instant.ofEpochMilli(request.mutedUntil());
        Preview preview = request.preview() == null ? existing.map(PushDevice::preview).orElse(Preview.FULL)
                : Preview.parse(request.preview());
        String id = existing.map(PushDevice::id).orElseGet(() -> Secrets.hex(16));
        PushDevice device = switch (provider) {
            case FCM -> tokenDevice(id, user, deviceId, sessionId, provider, request.token(), FCM_TOKEN, "an FCM registration token",
                    mutedUntil, preview);
            case APNS -> tokenDevice(id, user, deviceId, sessionId, provider, request.token(), APNS_TOKEN,
                    "an APNs device token (64 to 200 hex digits)", mutedUntil, preview);
            case WEBPUSH -> subscription(id, user, deviceId, sessionId, request.token(), mutedUntil, preview);
        };
        if (existing.isEmpty() && devices.count(user) >= config.maxDevicesPerUser()) {
            throw new ApiException(ErrorCode.LIMIT_EXCEEDED, "at most " + config.maxDevicesPerUser()
                    + " push devices per user; delete one first");
        }
        return devices.upsert(device);
    }

    public List<PushDevice> list(long user) {
        return devices.ofUser(user);
    }

    public void delete(long user, String deviceId) {
        if (deviceId == null || !devices.delete(user, deviceId)) {
            throw ApiException.notFound("this device is not registered for push");
        }
    }

    public Optional<String> vapidPublicKey() {
        return senders.vapidPublicKey();
    }

    private PushDevice tokenDevice(String id, long user, String deviceId, String sessionId, PushProvider provider, JsonNode token,
                                   Pattern shape, String what, Instant mutedUntil, Preview preview) {
        if (token == null || !token.isTextual() || token.asText().isEmpty()) {
            throw ApiException.invalid("token must be " + what);
        }
        String text = token.asText();
        if (text.length() > config.maxTokenChars()) {
            throw ApiException.invalid("token is longer than " + config.maxTokenChars() + " characters");
        }
        if (!shape.matcher(text).matches()) {
            throw ApiException.invalid("token must be " + what);
        }
        return new PushDevice(id, user, deviceId, sessionId, provider, provider == PushProvider.APNS ? text.toLowerCase() : text,
                null, null, mutedUntil, preview, null);
    }

    private PushDevice subscription(String id, long user, String deviceId, String sessionId, JsonNode token, Instant mutedUntil,
                                    Preview preview) {
        if (token == null || !token.isObject()) {
            throw ApiException.invalid("token must be the browser's push subscription {endpoint, keys:{p256dh, auth}}");
        }
        String endpoint = token.path("endpoint").asText("");
        String p256dh = token.path("keys").path("p256dh").asText("");
        String auth = token.path("keys").path("auth").asText("");
        if (endpoint.isEmpty() || endpoint.length() > config.maxTokenChars()) {
            throw ApiException.invalid("token.endpoint must be a URL of at most " + config.maxTokenChars() + " characters");
        }
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("token.endpoint is not a URL");
        }
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getRawUserInfo() != null) {
            throw ApiException.invalid("token.endpoint must be an http(s) URL without credentials");
        }
        try {
            egress.check(uri);
        } catch (EgressPolicy.Refused e) {
            throw ApiException.invalid("push endpoint refused: " + e.getMessage());
        }
        try {
            PushKeys.p256Public(PushKeys.unb64url(p256dh));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("token.keys.p256dh must be a base64url P-256 public key (65 bytes): " + e.getMessage());
        }
        byte[] secret;
        try {
            secret = PushKeys.unb64url(auth);
        } catch (IllegalArgumentException e) {
            secret = new byte[0];
        }
        if (secret.length != 16) {
            throw ApiException.invalid("token.keys.auth must be a base64url 16-byte secret");
        }
        return new PushDevice(id, user, deviceId, sessionId, PushProvider.WEBPUSH, endpoint, p256dh, auth, mutedUntil, preview, null);
    }
}
