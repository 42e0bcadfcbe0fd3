package io.parley.chat.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.common.error.ErrorCode;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Encodes server frames as JSON text. A message is encoded once per delivery path and the same string is
 * written to every local recipient (no per-recipient encoding).
 */
@Singleton // no client proxy on the per-frame path
public class ServerFrames {

    public static final String PONG = "{\"type\":\"" + FrameTypes.PONG + "\"}";
    public static final String SYNCED = "{\"type\":\"" + FrameTypes.SYNCED + "\"}";
    public static final String SYNCED_MORE = "{\"type\":\"" + FrameTypes.SYNCED + "\",\"more\":true}";
    private static final JsonStringEncoder STRINGS = JsonStringEncoder.getInstance();

    private final ObjectMapper json;

    public ServerFrames(ObjectMapper json) {
        this.json = json;
    }

    /** {@code {"type":"token","exp"}}: a fresh token was accepted; the connection lives until {@code exp} (epoch s). */
    public static String tokenAccepted(long exp) {
        return "{\"type\":\"" + FrameTypes.TOKEN + "\",\"exp\":" + exp + "}";
    }

    /** {@code {"type":"expiring","exp"}}: the connection's token expires at {@code exp} (epoch s). */
    public static String expiring(long exp) {
        return "{\"type\":\"" + FrameTypes.EXPIRING + "\",\"exp\":" + exp + "}";
    }

    /**
     * {@code sent}. This and {@link #messageAroundSeq} are written by hand (every chat message makes one of each):
     * the same bytes as the Jackson tree gives, strings escaped by Jackson's own encoder, without the tree.
     */
    public String sent(String clientMsgId, String id, String conversation, long seq, long ts) {
        StringBuilder out = new StringBuilder(64 + clientMsgId.length() + id.length() + conversation.length());
        out.append("{\"type\":\"").append(FrameTypes.SENT).append("\",\"clientMsgId\":");
        quoted(out, clientMsgId).append(",\"id\":");
        quoted(out, id).append(",\"conversation\":");
        quoted(out, conversation).append(",\"seq\":").append(seq).append(",\"ts\":").append(ts).append('}');
        return out.toString();
    }

    private static StringBuilder quoted(StringBuilder out, String value) {
        out.append('"');
        STRINGS.quoteAsString(value, out);
        return out.append('"');
    }

    public String message(ChatMessage m) {
        return write(messageNode(m, m.seq()));
    }

    /**
     * The message frame cut around its seq, for the append script to join once it knows the seq:
     * {@code parts[0] + seq + parts[1]}. The rest of the frame is encoded here, once.
     */
    public String[] messageAroundSeq(ChatMessage m) {
        StringBuilder head = new StringBuilder(64 + m.id().length() + m.conversation().length());
        head.append("{\"type\":\"").append(FrameTypes.MESSAGE).append("\",\"id\":");
        quoted(head, m.id()).append(",\"conversation\":");
        quoted(head, m.conversation()).append(",\"seq\":");
        StringBuilder tail = new StringBuilder(64 + m.body().length());
        tail.append(",\"from\":").append(m.from()).append(",\"to\":{");
        if (m.toGroup() != null) {
            quoted(tail.append("\"group\":"), m.toGroup());
        } else {
            tail.append("\"user\":").append(m.toUser());
        }
        tail.append("},\"body\":");
        quoted(tail, m.body()).append(",\"kind\":");
        quoted(tail, m.kind()).append(",\"ts\":").append(m.ts());
        if (m.target() != null) {
            quoted(tail.append(",\"target\":"), m.target());
        }
        tail.append('}');
        return new String[] {head.toString(), tail.toString()};
    }

    public String typing(String conversation, long user) {
        ObjectNode frame = json.createObjectNode();
        frame.put("type", FrameTypes.TYPING);
        frame.put("conversation", conversation);
        frame.put("user", user);
        return write(frame);
    }

    public String read(String conversation, long user, long seq) {
        ObjectNode frame = json.createObjectNode();
        frame.put("type", FrameTypes.READ);
        frame.put("conversation", conversation);
        frame.put("user", user);
        frame.put("seq", seq);
        return write(frame);
    }

    /** {@code lastSeen} only when offline (0: unknown). */
    public String presence(long user, boolean online, long lastSeen) {
        ObjectNode frame = json.createObjectNode();
        frame.put("type", FrameTypes.PRESENCE);
        frame.put("user", user);
        frame.put("status", online ? "online" : "offline");
        if (!online && lastSeen > 0) {
            frame.put("lastSeen", lastSeen);
        }
        return write(frame);
    }

    /** {@code subscribed} / {@code unsubscribed}. */
    public String topics(boolean subscribed, String appId, List<String> topics) {
        return write(topicsNode(subscribed, appId, topics));
    }

    /** Topics taken away because the app withdrew the user's access: {@code unsubscribed} with a reason. */
    /** The user joined ({@code joined}) or left a group: {@code {"type":"membership","group","joined"}}. */
    public String membership(String groupId, boolean joined) {
        ObjectNode frame = json.createObjectNode();
        frame.put("type", FrameTypes.MEMBERSHIP);
        frame.put("group", groupId);
        frame.put("joined", joined);
        return write(frame);
    }

    public String topicsWithdrawn(String appId, List<String> topics) {
        ObjectNode frame = topicsNode(false, appId, topics);
        frame.put("reason", ErrorCode.FORBIDDEN.name());
        return write(frame);
    }

    private ObjectNode topicsNode(boolean subscribed, String appId, List<String> topics) {
        ObjectNode frame = json.createObjectNode();
        frame.put("type", subscribed ? FrameTypes.SUBSCRIBED : FrameTypes.UNSUBSCRIBED);
        frame.put("appId", appId);
        var names = frame.putArray("topics");
        topics.forEach(names::add);
        return frame;
    }

    /** A publication; {@code base64} true when {@code data} is base64 of binary data. */
    public String publication(String appId, String topic, String data, boolean base64, String id) {
        ObjectNode frame = json.createObjectNode();
        frame.put("type", FrameTypes.PUBLICATION);
        frame.put("appId", appId);
        frame.put("topic", topic);
        frame.put("data", data);
        if (base64) {
            frame.put("encoding", "base64");
        }
        if (id != null) {
            frame.put("id", id);
        }
        return write(frame);
    }

    /** An in-app notification on {@code /ws/notify}; {@code seq} is its inbox position (acknowledge it). */
    public String notification(String id, String seq, String title, String body, String dataJson, long ts) {
        ObjectNode frame = json.createObjectNode();
        frame.put("type", FrameTypes.NOTIFICATION);
        frame.put("id", id);
        frame.put("seq", seq);
        frame.put("title", title);
        frame.put("body", body);
        if (dataJson != null && !dataJson.isEmpty()) {
            try {
                frame.set("data", json.readTree(dataJson));
            } catch (JsonProcessingException e) {
                frame.put("data", dataJson);
            }
        }
        frame.put("ts", ts);
        return write(frame);
    }

    public String error(ErrorCode code, String message, String ref) {
        ObjectNode frame = json.createObjectNode();
        frame.put("type", FrameTypes.ERROR);
        frame.put("code", code.name());
        frame.put("message", message == null ? code.defaultMessage() : message);
        if (ref != null) {
            frame.put("ref", ref);
        }
        return write(frame);
    }

    private ObjectNode messageNode(ChatMessage m, long seq) {
        ObjectNode frame = json.createObjectNode();
        frame.put("type", FrameTypes.MESSAGE);
        frame.put("id", m.id());
        frame.put("conversation", m.conversation());
        frame.put("seq", seq);
        frame.put("from", m.from());
        ObjectNode to = frame.putObject("to");
        if (m.toGroup() != null) {
            to.put("group", m.toGroup());
        } else {
            to.put("user", m.toUser());
        }
        frame.put("body", m.body());
        frame.put("kind", m.kind());
        frame.put("ts", m.ts());
        if (m.target() != null) {
            frame.put("target", m.target());
        }
        return frame;
    }

    private String write(ObjectNode frame) {
        try {
            return json.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always encodes", e);
        }
    }
}
