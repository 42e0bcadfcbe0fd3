package io.parley.common.redis;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One outbox entry: a chat message stored for a recipient who had no open connection, or who had some but also has a
 * push device without one. chat-service appends it to the outbox stream ({@link SharedKeys#OUTBOX_STREAM}) with one
 * field, {@link #FIELD}:
 * {@code {"type":"message","user":<recipient>,"id":"<message id>","conversation","seq","from","body","kind","ts",
 * "connectedDevices"?:["<did>",...],"badge"?}}; notify-service {@link #parse parses} it. Both sides use this record, so the JSON
 * has one definition.
 *
 * @param connectedDevices null when the recipient had no open connection (relay to every channel and push device);
 *                         otherwise the recipient was online, with these device ids connected: only push devices not
 *                         among them are pushed to, and nothing is relayed to email, webhook or wechat
 * @param badge the recipient's unread total once this message is stored (the push's badge), or null when chat-service
 *              did not count it (the recipient has no push devices, or their conversations are not all in Redis)
 * @param json the entry's text as written (what notify-service stores)
 */
public record OutboxEvent(long user, String messageId, String conversation, long seq, long from, String body,
                          String kind, long ts, List<String> connectedDevices, Integer badge, String json) {

    public static final String FIELD = SharedKeys.OUTBOX_EVENT_FIELD;
    public static final String TYPE_MESSAGE = "message";
    private static final long MAX_USER_ID = 9_999_999_999L;

    /** The event for one message and one offline recipient, with its JSON as chat-service writes it. */
    public static OutboxEvent message(long user, String messageId, String conversation, long seq, long from,
                                      String body, String kind, long ts) {
        return message(user, messageId, conversation, seq, from, body, kind, ts, null, null);
    }

    /**
     * The event for one message and one recipient who is online on {@code connectedDevices} but has a push device
     * without a connection ({@code null} for a recipient with no open connection), with the recipient's unread total
     * as {@code badge} ({@code null}: not counted).
     */
    public static OutboxEvent message(long user, String messageId, String conversation, long seq, long from,
                                      String body, String kind, long ts, List<String> connectedDevices,
                                      Integer badge) {
        JsonObject event = new JsonObject().put("type", TYPE_MESSAGE).put("user", user).put("id", messageId)
                .put("conversation", conversation).put("seq", seq).put("from", from).put("body", body)
                .put("kind", kind).put("ts", ts);
        if (connectedDevices != null) {
            event.put("connectedDevices", new JsonArray(new ArrayList<>(connectedDevices)));
        }
        if (badge != null) {
            event.put("badge", badge);
        }
        return new OutboxEvent(user, messageId, conversation, seq, from, body, kind, ts,
                connectedDevices == null ? null : List.copyOf(connectedDevices), badge, event.encode());
    }

    /** Whether the recipient had an open connection when the message was relayed (then only push applies). */
    public boolean recipientOnline() {
        return connectedDevices != null;
    }

    /** Parses an entry's {@code event} field; throws {@link IllegalArgumentException} naming what is wrong. */
    public static OutboxEvent parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no event field");
        }
        JsonObject json;
        try {
            json = new JsonObject(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("event is not a JSON object");
        }
        if (!TYPE_MESSAGE.equals(json.getValue("type"))) {
            throw new IllegalArgumentException("unknown event type " + json.getValue("type"));
        }
        long user = number(json, "user");
        if (user <= 0 || user > MAX_USER_ID) {
            throw new IllegalArgumentException("user is not a user id");
        }
        String id = string(json, "id");
        if (id.isEmpty() || id.length() > 64) {
            throw new IllegalArgumentException("id must be 1-64 characters");
        }
        String body = json.getValue("body") instanceof String s ? s : "";
        String kind = json.getValue("kind") instanceof String k ? k : "text";
        long ts = json.getValue("ts") instanceof Number n ? n.longValue() : System.currentTimeMillis();
        long seq = json.getValue("seq") instanceof Number n ? n.longValue() : 0;
        List<String> connected = null;
        if (json.getValue("connectedDevices") instanceof JsonArray devices) {
            connected = new ArrayList<>(devices.size());
            for (Object device : devices) {
                if (!(device instanceof String d)) {
                    throw new IllegalArgumentException("connectedDevices must be a list of device ids");
                }
                connected.add(d);
            }
            connected = List.copyOf(connected);
        } else if (json.getValue("connectedDevices") != null) {
            throw new IllegalArgumentException("connectedDevices must be a list of device ids");
        }
        Integer badge = null;
        if (json.getValue("badge") instanceof Number n && n.longValue() >= 0) {
            badge = (int) Math.min(Integer.MAX_VALUE, n.longValue());
        } else if (json.getValue("badge") != null) {
            throw new IllegalArgumentException("badge must be a number of at least 0");
        }
        return new OutboxEvent(user, id, string(json, "conversation"), seq, number(json, "from"), body, kind, ts,
                connected, badge, text);
    }

    private static long number(JsonObject json, String field) {
        if (json.getValue(field) instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException(field + " must be a number");
    }

    private static String string(JsonObject json, String field) {
        if (json.getValue(field) instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(field + " must be a string");
    }
}
