package io.parley.notify.delivery;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a person reads, rendered from a delivery's JSON payload: a relay digest
 * ({@code {"type":"messages","count","messages":[…]}}) or a notification ({@code {"type":"notification","title","body"}}).
 */
public record DeliveryContent(String event, String title, String text) {

    public static DeliveryContent of(String payload) {
        JsonObject json = new JsonObject(payload);
        String type = json.getString("type", "notification");
        if (!"messages".equals(type)) {
            return new DeliveryContent(type, json.getString("title", ""), json.getString("body", ""));
        }
        int count = json.getInteger("count", 0);
        JsonArray messages = json.getJsonArray("messages", new JsonArray());
        StringBuilder text = new StringBuilder();
        text.append(count == 1 ? "You have 1 new message" : "You have " + count + " new messages")
                .append(" on Parley.\n");
        if (messages.size() < count) {
            text.append("The newest ").append(messages.size()).append(":\n");
        }
        text.append('\n');
        for (int i = 0; i < messages.size(); i++) {
            JsonObject m = messages.getJsonObject(i);
            text.append("From ").append(m.getValue("from")).append(" (").append(m.getString("conversation", ""))
                    .append("): ").append(m.getString("body", "")).append('\n');
        }
        String title = count == 1 ? "1 new message on Parley" : count + " new messages on Parley";
        return new DeliveryContent(type, title, text.toString());
    }
}
