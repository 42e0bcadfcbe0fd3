package io.parley.notify.sender;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one push says, the same for every provider: a visible alert ({@code title}, {@code body}) or, when
 * {@code silent}, data only. {@code collapseId} (APNs {@code apns-collapse-id}, FCM {@code collapse_key}, Web Push
 * {@code Topic}) makes a newer push replace an older one of the same conversation; {@code badge} is left out when
 * unknown. Stored as the delivery's payload ({@link #toJson}, {@link #fromJson}).
 */
public record PushMessage(String collapseId, String title, String body, Integer badge, Map<String, String> data,
                          boolean silent) {

    public static final String TYPE = "push";

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("type", TYPE).put("title", title).put("body", body)
                .put("silent", silent).put("data", new JsonObject(new LinkedHashMap<>(data)));
        if (collapseId != null) {
            json.put("collapseId", collapseId);
        }
        if (badge != null) {
            json.put("badge", badge);
        }
        return json;
    }

    public static PushMessage fromJson(JsonObject json) {
        Map<String, String> data = new LinkedHashMap<>();
        JsonObject d = json.getJsonObject("data", new JsonObject());
        d.forEach(e -> data.put(e.getKey(), String.valueOf(e.getValue())));
        return new PushMessage(json.getString("collapseId"), json.getString("title", ""), json.getString("body", ""),
                json.getInteger("badge"), data, json.getBoolean("silent", false));
    }

    /**
     * What a browser's service worker receives (decrypted): {@code {"title","body","tag"?,"badge"?,"silent","data"}};
     * a silent push has no text ({@code {"silent":true,"data"}}): the worker handles the data and shows nothing.
     */
    public JsonObject webPayload() {
        JsonObject json = new JsonObject();
        if (!silent) {
            json.put("title", title).put("body", body);
        }
        json.put("silent", silent).put("data", new JsonObject(new LinkedHashMap<>(data)));
        if (collapseId != null) {
            json.put("tag", collapseId);
        }
        if (badge != null) {
            json.put("badge", badge);
        }
        return json;
    }
}
