package io.parley.sdk;

import java.util.Base64;
import java.util.Objects;

/**
 * Publishing to the app's topics ({@code POST {chat}/api/v1/apps/{appId}/topics/{topic}/publications}): every
 * subscriber of the topic, on any chat node, gets a {@code publication} frame. Topic names are 1–128 characters of
 * {@code [A-Za-z0-9_.:/-]}; the SDK encodes them for the path.
 *
 * <p>Not de-duplicated by the server, so a publication is sent again only when the server certainly did not take it
 * (429 — the topic's buffer is full, after its Retry-After — or no connection), never after a timeout or a 503.
 */
public final class Topics {

    private record Publication(String data, String encoding) {
    }

    private record Accepted(String id) {
    }

    private final AppApi api;
    private final Endpoint chat;
    private final String appPath;

    Topics(AppApi api, Endpoint chat, String appPath) {
        this.api = api;
        this.chat = chat;
        this.appPath = appPath;
    }

    /** Publishes text; returns the publication's id (its position in the publication buffer). */
    public String publish(String topic, String text) {
        Objects.requireNonNull(text, "text");
        return send(topic, new Publication(text, null));
    }

    /** Publishes bytes (sent base64-encoded; WebSocket clients get them as base64, or raw with CBOR frames). */
    public String publish(String topic, byte[] data) {
        Objects.requireNonNull(data, "data");
        return send(topic, new Publication(Base64.getEncoder().encodeToString(data), "base64"));
    }

    private String send(String topic, Publication publication) {
        Objects.requireNonNull(topic, "topic");
        return api.send("POST", chat.resolve(appPath + "/topics/" + Endpoint.segment(topic) + "/publications"),
                publication, false, Accepted.class).id();
    }
}
