package io.parley.notify.sender;

import io.parley.notify.config.NotifyConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * chat-service's push API for in-app notifications: {@code POST /api/v1/apps/{appId}/notifications} with the app's
 * own token and {@code {"id","users","title","body","data"?}}; answered 202 {@code {"id","accepted":[ids]}}. chat-service
 * pushes a {@code notification} frame on {@code /ws/notify} (and keeps it for users who are offline).
 */
@ApplicationScoped
public class ChatServiceClient {

    private final OutboundHttp http;
    private final String base;

    public ChatServiceClient(OutboundHttp http, NotifyConfig config) {
        this.http = http;
        String url = config.chatUrl();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The endpoint key for per-endpoint limits. */
    public String endpoint() {
        URI uri = URI.create(base);
        return uri.getHost() + ":" + uri.getPort();
    }

    /** Forwards; completes with the users chat-service accepted. */
    public Uni<Set<Long>> push(String appId, String token, JsonObject notification, List<Long> users) {
        JsonObject body = new JsonObject().put("id", notification.getString("id"))
                .put("users", new JsonArray(users))
                .put("title", notification.getString("title"))
                .put("body", notification.getString("body"));
        if (notification.getValue("data") != null) {
            body.put("data", notification.getValue("data"));
        }
        String url = base + "/api/v1/apps/" + URLEncoder.encode(appId, StandardCharsets.UTF_8) + "/notifications";
        return http.postJson(url, Map.of("Authorization", "Bearer " + token), body.encode().getBytes(StandardCharsets.UTF_8))
                .map(response -> {
                    if (response.statusCode() / 100 != 2) {
                        throw new SendFailure("chat-service answered HTTP " + response.statusCode());
                    }
                    Set<Long> accepted = new HashSet<>();
                    try {
                        JsonArray list = response.bodyAsJsonObject().getJsonArray("accepted");
                        if (list == null) {
                            accepted.addAll(users); // an answer without the list accepts everyone it was given
                        } else {
                            for (int i = 0; i < list.size(); i++) {
                                accepted.add(((Number) list.getValue(i)).longValue());
                            }
                        }
                    } catch (RuntimeException e) {
                        throw new SendFailure("chat-service answered an unreadable body");
                    }
                    return accepted;
                });
    }
}
