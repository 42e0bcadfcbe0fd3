package io.parley.notify.sender;

import io.parley.notify.config.NotifyConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Firebase Cloud Messaging, HTTP v1 API: {@code POST {base}/v1/projects/{project}/messages:send} with an OAuth2
 * access token ({@link FcmAccessTokens}). A visible push carries {@code notification} (and the Android
 * {@code collapse_key} and notification {@code tag}, so a newer push of a conversation replaces the older one); a
 * silent one only {@code data}. 200: accepted. 404 or {@code UNREGISTERED}: the token is gone. 400
 * {@code INVALID_ARGUMENT} and 403: permanent, the device is kept. 401: the access token is dropped and the push is
 * tried again. 429 and 5xx: try later, honouring {@code Retry-After}.
 */
@ApplicationScoped
public class FcmSender {

    private final OutboundHttp http;
    private final Optional<FcmAccessTokens> tokens;
    private final String sendUrl;
    private final long ttlSeconds;

    public FcmSender(OutboundHttp http, NotifyConfig config) {
        this.http = http;
        NotifyConfig.Push.Fcm fcm = config.push().fcm();
        Optional<JsonObject> account = fcm.serviceAccount().map(v -> new JsonObject(PushKeys.inlineOrFile(v, "{")));
        this.tokens = account.map(a -> new FcmAccessTokens(http, a, fcm.renewBefore()));
        this.sendUrl = account.map(a -> stripSlash(fcm.baseUrl()) + "/v1/projects/" + a.getString("project_id")
                + "/messages:send").orElse(null);
        this.ttlSeconds = Math.max(0, config.push().timeToLive().toSeconds());
    }

    public boolean enabled() {
        return tokens.isPresent();
    }

    public Uni<Void> send(String registrationToken, PushMessage message) {
        if (tokens.isEmpty()) {
            return Uni.createFrom().failure(SendFailure.permanent("FCM is not configured (no service account)"));
        }
        byte[] body = new JsonObject().put("message", message(registrationToken, message)).encode()
                .getBytes(StandardCharsets.UTF_8);
        return tokens.get().token().flatMap(access -> http.post(sendUrl, Map.of("Content-Type", "application/json",
                "Authorization", "Bearer " + access), body).map(response -> {
                    int status = response.statusCode();
                    if (status == 200) {
                        return null;
                    }
                    String code = errorCode(response.bodyAsString());
                    if (status == 404 || "UNREGISTERED".equals(code)) {
                        throw new PushTargetGone("FCM answered " + status + " " + code + ": the token is gone");
                    }
                    if (status == 401) {
                        tokens.get().invalidate(access);
                        throw new SendFailure("FCM refused the access token (401); a new one is fetched");
                    }
                    if (status == 429 || status >= 500) {
                        throw SendFailure.retryAfter("FCM answered " + status + " " + code, response.getHeader("Retry-After"));
                    }
                    throw SendFailure.permanent("FCM refused the push: " + status + " " + code);
                }));
    }

    private JsonObject message(String registrationToken, PushMessage message) {
        JsonObject data = new JsonObject();
        message.data().forEach(data::put); // FCM data values must be strings
        JsonObject android = new JsonObject().put("ttl", ttlSeconds + "s")
                .put("priority", message.silent() ? "normal" : "high");
        JsonObject out = new JsonObject().put("token", registrationToken).put("data", data).put("android", android);
        if (message.collapseId() != null) {
            android.put("collapse_key", message.collapseId());
        }
        if (!message.silent()) {
            out.put("notification", new JsonObject().put("title", message.title()).put("body", message.body()));
            JsonObject notification = new JsonObject();
            if (message.collapseId() != null) {
                notification.put("tag", message.collapseId());
            }
            if (message.badge() != null) {
                notification.put("notification_count", message.badge());
            }
            android.put("notification", notification);
        }
        return out;
    }

    /** The FCM error code: {@code details[].errorCode} (e.g. UNREGISTERED), else {@code error.status}. */
    static String errorCode(String body) {
        try {
            JsonObject error = new JsonObject(body == null ? "{}" : body).getJsonObject("error", new JsonObject());
            JsonArray details = error.getJsonArray("details", new JsonArray());
            for (int i = 0; i < details.size(); i++) {
                String code = details.getJsonObject(i).getString("errorCode");
                if (code != null) {
                    return code;
                }
            }
            return error.getString("status", "");
        } catch (RuntimeException notJson) {
            return "";
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
